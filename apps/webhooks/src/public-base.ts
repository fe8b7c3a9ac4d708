// Works out the public base URL Twilio used (scheme + host), from PUBLIC_BASE_URL or the forwarded headers.
import type { IncomingHttpHeaders } from 'node:http';
import { publicOrigin } from '@tva/security';

/** e.g. "https://agent.example.com" — never with a trailing slash. */
export function publicBase(configured: string | undefined, headers: IncomingHttpHeaders): string {
  return publicOrigin(configured, headers);
}

/** The WebSocket form of a base: https → wss, http → ws (local tests). */
export function wsBase(base: string): string {
  return base.replace(/^http(s?):\/\//, (_m, s: string) => `ws${s}://`);
}

/** Joins a base and an absolute path without ever producing "//" inside the path (Twilio 31923). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
