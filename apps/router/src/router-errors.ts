// The router's error catalogue: every refusal it answers and every fault it logs has one of these codes.
import { WEBHOOK_BODY_LIMIT_BYTES } from '@tva/config';
import { createErrorClass, type ErrorSpec } from '@tva/errors';

export const ROUTER_ERRORS = {
  // client mistakes: answered with the status, logged at warn in one line
  ROUTER_ERR_BAD_TARGET: { status: 400, message: 'request-target is not origin-form ("/path?query"): absolute-form, authority-form (CONNECT), asterisk-form other than OPTIONS *, a fragment, or a byte outside printable ASCII' },
  ROUTER_ERR_DOT_SEGMENT: { status: 400, message: 'path has a "." or ".." segment (literal or percent-encoded)' },
  ROUTER_ERR_BAD_PATH: { status: 400, message: 'path has a backslash, starts with "//", or has an encoded slash or backslash (%2F, %5C), an encoded control character, a malformed %-escape, or escapes that are not UTF-8' },
  ROUTER_ERR_NOT_FOUND: { status: 404, message: 'WebSocket upgrades are served on /ws/* only' },
  ROUTER_ERR_BODY_TOO_LARGE: { status: 413, message: `request body over the webhooks limit (${WEBHOOK_BODY_LIMIT_BYTES / 1024} KiB)` },
  ROUTER_ERR_REQUEST_TIMEOUT: { status: 408, message: 'the request (headers and body) did not arrive in time, e.g. a body shorter than its Content-Length' },
  ROUTER_ERR_HEADERS_TOO_LARGE: { status: 431, message: 'request headers too large' },
  ROUTER_ERR_BAD_REQUEST: { status: 400, message: 'malformed HTTP request' },
  ROUTER_ERR_METRICS_FORBIDDEN: { status: 403, message: '/metrics answers loopback clients without forwarding headers, or any client with Authorization: Bearer METRICS_TOKEN when it is set' },
  // our faults (a target down or hung): answered with the status, logged at error
  ROUTER_ERR_WEBHOOKS_UNAVAILABLE: { status: 502, message: 'webhooks unavailable' },
  ROUTER_ERR_WEBHOOKS_TIMEOUT: { status: 504, message: 'webhooks did not answer in time' },
  ROUTER_ERR_MEDIA_UNAVAILABLE: { status: 503, message: 'media worker unavailable' },
  // logged only (warn): the stream is already WebSocket, so nothing HTTP can be answered
  ROUTER_ERR_CLIENT_GONE: { message: 'the client reset or closed its connection while the router was forwarding (logged at warn: not our fault)' },
  ROUTER_ERR_PROXY: { message: 'forwarding failed on the router\'s side (logged at error)' },
  ROUTER_ERR_STREAM_LOST: { message: 'media worker connection lost mid-stream' },
  ROUTER_ERR_GRACE_EXPIRED: { message: 'shutdown grace over: live streams and requests cut' },
} as const satisfies Record<string, ErrorSpec>;

export type RouterErrorCode = keyof typeof ROUTER_ERRORS;

export class RouterError extends createErrorClass('RouterError', ROUTER_ERRORS) {}

/** The HTTP status a refusal with this code is answered with (500 for a log-only code, which is never answered). */
export function statusOf(code: RouterErrorCode): number {
  return (ROUTER_ERRORS[code] as ErrorSpec).status ?? 500;
}

/** The JSON body every router refusal carries, in the webhooks' shape: `{ code, message }`. */
export function errorBody(code: RouterErrorCode): string {
  return JSON.stringify({ code, message: ROUTER_ERRORS[code].message });
}
