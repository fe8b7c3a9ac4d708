// The public scheme and host a request was made to, from PUBLIC_BASE_URL or the forwarded headers (what signatures cover).
import { isIPv4, isIPv6 } from 'node:net';
import { createErrorClass } from '@tva/errors';
import { FORWARDED_ERRORS } from './security-errors';

type HeaderValue = string | string[] | undefined;

/** The left-most value of a (possibly chained, "https,http") forwarded header. */
export function firstForwarded(value: HeaderValue): string | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  return v ? v : undefined;
}

export type PublicOriginProblem = keyof typeof FORWARDED_ERRORS;

/** A Host / X-Forwarded-Host / X-Forwarded-Proto that cannot be part of a URL; the receiver answers 400. */
export class PublicOriginError extends createErrorClass('PublicOriginError', FORWARDED_ERRORS) {
  /** Which header held the value (never the value itself: it is the client's text). */
  readonly header: string;
  constructor(code: PublicOriginProblem, header: string) {
    super(code, header);
    this.header = header;
  }
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isHostname(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  // why: an all-digit last label reads as an IPv4 address (WHATWG URL), so "1.2.3.999" must be a valid one, not a name.
  return !/^\d+$/.test(labels[labels.length - 1] as string) || isIPv4(name);
}

/** A hostname, an IPv4 address or a bracketed IPv6 address, with an optional port 1–65535 — nothing else. */
export function isValidHost(host: string): boolean {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::([1-9]\d{0,4}))?$/.exec(host);
  if (!m) return false;
  const [, name = '', port] = m;
  if (port !== undefined && Number(port) > 65535) return false;
  return name.startsWith('[') ? isIPv6(name.slice(1, -1)) : isIPv4(name) || isHostname(name);
}

/**
 * e.g. "https://agent.example.com" — no trailing slash. PUBLIC_BASE_URL wins; else the forwarded (or Host) header,
 * checked strictly: throws PublicOriginError for anything but a hostname/IP with an optional port, and http/https.
 */
export function publicOrigin(publicBaseUrl: string | undefined, headers: Record<string, HeaderValue>): string {
  if (publicBaseUrl) return publicBaseUrl.replace(/\/+$/, '');
  const givenProto = firstForwarded(headers['x-forwarded-proto']);
  const proto = givenProto === undefined ? 'http' : givenProto.toLowerCase();
  if (proto !== 'http' && proto !== 'https') throw new PublicOriginError('FORWARDED_BAD_PROTO', 'X-Forwarded-Proto');
  const forwardedHost = firstForwarded(headers['x-forwarded-host']);
  const rawHost = headers['host'];
  // why: Host is one value, never a chain: "a,b" is a bad Host, not "a".
  const [header, host] = forwardedHost !== undefined ? ['X-Forwarded-Host', forwardedHost] : ['Host', (Array.isArray(rawHost) ? rawHost[0] : rawHost) || 'localhost'];
  if (!isValidHost(host)) throw new PublicOriginError('FORWARDED_BAD_HOST', header);
  return `${proto}://${host}`;
}
