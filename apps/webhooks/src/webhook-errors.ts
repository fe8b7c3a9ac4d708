// The webhooks' error catalogue: every rejection has one of these codes in its body and its log line.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createErrorClass } from '@tva/errors';
import { EVENTS } from '@tva/logging';

export const WEBHOOK_ERRORS = {
  WH_ERR_SIGNATURE_MISSING: { status: 403, message: 'X-Twilio-Signature header missing (TWILIO_AUTH_TOKEN is set, so every webhook must be signed)' },
  WH_ERR_SIGNATURE_INVALID: { status: 403, message: 'X-Twilio-Signature does not match: wrong TWILIO_AUTH_TOKEN, or PUBLIC_BASE_URL differs from the URL Twilio called' },
  WH_ERR_MISSING_CALL_SID: { status: 400, message: 'CallSid missing from the form body' },
  WH_ERR_BAD_FIELD: { status: 400, message: 'a form field is repeated, holds control characters, or is not in Twilio\'s format (CallSid CA, AccountSid AC, StreamSid MZ, RecordingSid RE + 32 hex; Digits 0-9 * #)' },
  WH_ERR_BAD_HOST: { status: 400, message: 'Host / X-Forwarded-Host is not a hostname or IP with an optional port, or X-Forwarded-Proto is not http/https (set PUBLIC_BASE_URL)' },
  WH_ERR_INTERNAL_SIGNATURE: { status: 403, message: 'internal message not signed with CALL_TOKEN_SECRET' },
  WH_ERR_BAD_NOTICE: { status: 400, message: 'internal notice is not a well-formed StreamOutcome, ConversationNotice or CallFeedBatch (JSON)' },
  WH_ERR_RATE_LIMITED: { status: 429, message: 'too many webhook requests from this address (WEBHOOK_RATE_LIMIT per minute)' },
  WH_ERR_BODY_TOO_LARGE: { status: 413, message: 'request body over the limit (WEBHOOK_BODY_LIMIT_BYTES, 64 KiB)' },
  WH_ERR_BODY_ABORTED: { status: 400, message: 'the client stopped sending the request body (aborted or reset)' },
  WH_ERR_BODY_LENGTH: { status: 400, message: 'request body length differs from its Content-Length' },
  WH_ERR_CONTENT_TYPE: { status: 415, message: 'unsupported Content-Type (Twilio posts application/x-www-form-urlencoded)' },
  WH_ERR_BAD_REQUEST: { status: 400, message: 'malformed request (body could not be read or parsed)' },
  WH_ERR_NOT_FOUND: { status: 404, message: 'no such route' },
  WH_ERR_CONSOLE_AUTH: { status: 401, message: 'console: log in first (no valid session cookie)' },
  WH_ERR_CONSOLE_LOOPBACK: { status: 403, message: 'console: CONSOLE_PASSWORD is unset, so only loopback clients (Host localhost/127.0.0.1/[::1]) are answered' },
  WH_ERR_CONSOLE_CSRF: { status: 403, message: 'console: a change needs the x-csrf-token header of this session and, when sent, an Origin equal to this host' },
  WH_ERR_CONSOLE_LOGIN_LIMIT: { status: 429, message: 'console: too many failed logins from this address or overall; wait and retry' },
  WH_ERR_CONSOLE_BAD_QUERY: { status: 400, message: 'console: a query parameter is malformed (dates ISO 8601, number suffix digits, cursor as given)' },
  WH_ERR_CONSOLE_NO_CALL: { status: 404, message: 'console: no record of this call' },
  WH_ERR_CONSOLE_NO_RECORDS: { status: 503, message: 'console: the records store is not available in this process' },
  WH_ERR_RECORDS_WRITE: { message: 'a call record could not be written (records store down or failing): logged, the call goes on' },
  WH_ERR_INTERNAL: { status: 500, message: 'internal error' },
} as const;

export type WebhookErrorCode = keyof typeof WEBHOOK_ERRORS;

/** `detail`, when set, names the form field or header that was wrong (never the client's value): the body's `field`. */
export class WebhookError extends createErrorClass('WebhookError', WEBHOOK_ERRORS) {
  /** Every webhook error is answered with one. */
  declare readonly status: number;
}

/** Fastify's and Node's request errors in our catalogue: body too large, aborted, wrong length, bad type. */
export function asWebhookError(err: unknown): WebhookError {
  if (err instanceof WebhookError) return err;
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new WebhookError('WH_ERR_BODY_TOO_LARGE', undefined, { cause: err });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new WebhookError('WH_ERR_BODY_LENGTH', undefined, { cause: err });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new WebhookError('WH_ERR_CONTENT_TYPE', undefined, { cause: err });
    // why: Node's IncomingMessage emits `aborted` (ECONNRESET, message "aborted") when a client leaves mid-body.
    case 'ECONNRESET':
    case 'ECONNABORTED':
      return new WebhookError('WH_ERR_BODY_ABORTED', undefined, { cause: err });
  }
  if (e.message === 'aborted' || e.message === 'Request aborted') return new WebhookError('WH_ERR_BODY_ABORTED', undefined, { cause: err });
  if (e.code === 'FST_ERR_BAD_URL') return new WebhookError('WH_ERR_BAD_REQUEST', 'URL is not valid UTF-8', { cause: err });
  if (e.code === 'FST_ERR_NOT_FOUND' || status === 404) return new WebhookError('WH_ERR_NOT_FOUND', undefined, { cause: err });
  return new WebhookError(status >= 400 && status < 500 ? 'WH_ERR_BAD_REQUEST' : 'WH_ERR_INTERNAL', undefined, { cause: err });
}

/**
 * The error handler of both webhooks listeners. A client's mistake (4xx) is one `warn` line with its code and no stack;
 * only our own faults (5xx) are logged at `error`, with the stack.
 */
export function replyWithWebhookError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = asWebhookError(err);
  const cause = e.cause as { code?: unknown } | undefined;
  // why: the message of the body and the log line is the catalogue's; the field goes in its own key.
  const message = WEBHOOK_ERRORS[e.code].message;
  const where = { code: e.code, status: e.status, method: req.method, url: req.url, field: e.detail, cause: typeof cause?.code === 'string' ? cause.code : undefined };
  if (e.status >= 500) {
    req.log.error({ event: EVENTS.WEBHOOK_ERROR, ...where, err }, 'webhook failed');
  } else {
    const event = e.code.startsWith('WH_ERR_SIGNATURE') ? EVENTS.SIGNATURE_INVALID : EVENTS.WEBHOOK_REJECT;
    req.log.warn({ event, ...where }, message);
  }
  // why: after a body error the rest of the body may still be on its way; the connection is not reusable.
  if (e.code.startsWith('WH_ERR_BODY')) reply.header('connection', 'close');
  return reply
    .code(e.status)
    .type('application/json')
    .send({ code: e.code, message, ...(e.detail ? { field: e.detail } : {}) });
}
