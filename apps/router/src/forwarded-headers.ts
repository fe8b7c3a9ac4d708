// The client address, scheme and host the router passes to its targets: its own view, or trusted proxy hops' view.
import type { IncomingHttpHeaders } from 'node:http';
import { isValidHost } from '@tva/security';

export interface Forwarded {
  /** Exactly one address: the webhooks' rate limit is keyed on it. */
  'x-forwarded-for': string;
  'x-forwarded-proto'?: string;
  'x-forwarded-host'?: string;
}

/** Every comma-separated entry of a header that may be repeated, in order. */
function entries(value: string | string[] | undefined): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The entry `n` places from the right (1 = right-most); the left-most when the list is shorter. */
function fromRight(list: string[], n: number): string | undefined {
  return list[Math.max(0, list.length - n)];
}

// why: "::ffff:203.0.113.5" and "203.0.113.5" are one client; IPv4-mapped addresses appear on dual-stack sockets.
function plainAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * With `trustProxy` = 0 the client's own X-Forwarded-* are ignored: client = socket peer, proto = http, host = Host.
 * With N hops trusted (each appends the address it saw to X-Forwarded-For), the client is the entry N from the right
 * of the chain plus the peer, and proto/host are the outermost trusted hop's. Malformed proto/host are left out
 * (the target then refuses or falls back; it never sees a client's text as ours).
 */
export function forwardedHeaders(headers: IncomingHttpHeaders, peer: string | undefined, trustProxy: number): Forwarded {
  const chain = [...entries(headers['x-forwarded-for']), plainAddress(peer)];
  const client = trustProxy === 0 ? plainAddress(peer) : (fromRight(chain, trustProxy + 1) as string);
  const proto = trustProxy === 0 ? 'http' : fromRight(entries(headers['x-forwarded-proto']), trustProxy)?.toLowerCase() ?? 'http';
  const hostHeader = Array.isArray(headers.host) ? headers.host[0] : headers.host;
  const host = trustProxy === 0 ? hostHeader : fromRight(entries(headers['x-forwarded-host']), trustProxy) ?? hostHeader;
  const out: Forwarded = { 'x-forwarded-for': client };
  if (proto === 'http' || proto === 'https') out['x-forwarded-proto'] = proto;
  if (host !== undefined && isValidHost(host)) out['x-forwarded-host'] = host;
  return out;
}

/** Replaces every forwarded header on `headers` with the router's answer (and drops RFC 7239 `Forwarded`, never trusted). */
export function setForwardedHeaders(headers: IncomingHttpHeaders, peer: string | undefined, trustProxy: number): void {
  const fwd = forwardedHeaders(headers, peer, trustProxy);
  delete headers['forwarded'];
  delete headers['x-forwarded-proto'];
  delete headers['x-forwarded-host'];
  Object.assign(headers, fwd);
}
