// Works out the public base URL Twilio used (scheme + host), from PUBLIC_BASE_URL or the forwarded headers.
import type { IncomingHttpHeaders } from 'node:http';
import { PublicOriginError, publicOrigin } from '@tva/security';
import { WebhookError } from './webhook-errors';

/**
 * e.g. "https://agent.example.com" — never with a trailing slash. PUBLIC_BASE_URL when set (required with TWILIO_AUTH_TOKEN);
 * else the request's host, checked strictly: throws WebhookError('WH_ERR_BAD_HOST') for a host that is not one.
 */
export function publicBase(configured: string | undefined, headers: IncomingHttpHeaders): string {
  try {
    return publicOrigin(configured, headers);
  } catch (err) {
    if (err instanceof PublicOriginError) throw new WebhookError('WH_ERR_BAD_HOST', err.header, { cause: err });
    throw err;
  }
}

/** The WebSocket form of a base: https → wss, http → ws (local tests). */
export function wsBase(base: string): string {
  return base.replace(/^http(s?):\/\//, (_m, s: string) => `ws${s}://`);
}

/** Joins a base and an absolute path without ever producing "//" inside the path (Twilio 31923). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
