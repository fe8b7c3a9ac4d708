// Checks a request-target and returns the one path the router both routes on and forwards.
import type { RouterErrorCode } from './router-errors';

export type RequestTarget =
  /** `path` is canonical (what routing compares); `url` is `path` plus the query as given (what is forwarded). */
  | { ok: true; kind: 'origin'; path: string; url: string }
  | { ok: true; kind: 'asterisk' }
  | { ok: false; code: RouterErrorCode };

// RFC 3986 §2.3: percent-encoded unreserved characters are the same as the characters themselves.
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;

type Segment = { ok: true; text: string } | { ok: false; code: RouterErrorCode };

/** One path segment with unreserved escapes decoded and the others upper-cased; refuses what could change the path. */
function canonicalSegment(raw: string): Segment {
  let text = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch !== '%') {
      text += ch;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!HEX2.test(hex)) return { ok: false, code: 'ROUTER_ERR_BAD_PATH' };
    const byte = parseInt(hex, 16);
    const decoded = String.fromCharCode(byte);
    // why: "/", "\" and control characters decoded by a target would split or alter the path after we routed it.
    if (decoded === '/' || decoded === '\\' || byte < 0x20 || byte === 0x7f) return { ok: false, code: 'ROUTER_ERR_BAD_PATH' };
    text += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
    i += 2;
  }
  // why: a dot segment (also as %2e) is removed by the URL parser in http-proxy, so "/x/../internal" would be forwarded as "/internal".
  if (text === '.' || text === '..') return { ok: false, code: 'ROUTER_ERR_DOT_SEGMENT' };
  return { ok: true, text };
}

/** True when the path's percent-escapes decode to valid UTF-8. */
function isUtf8Escapes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Origin-form only (RFC 9112 §3.2): "/path?query", or "*" for OPTIONS. Absolute-form ("http://host/x"), authority-form
 * and other asterisk-forms are refused, as are paths a URL parser or a target would rewrite (dot segments, "\", %2F).
 */
export function parseRequestTarget(method: string | undefined, rawUrl: string | undefined): RequestTarget {
  const url = rawUrl ?? '';
  if (url === '*' && method === 'OPTIONS') return { ok: true, kind: 'asterisk' };
  if (!url.startsWith('/') || url.includes('#') || !PRINTABLE_ASCII.test(url)) return { ok: false, code: 'ROUTER_ERR_BAD_TARGET' };
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  // why: the WHATWG URL parser (used by http-proxy) reads "\" as "/" in http URLs, and "//x" as a host to many parsers.
  if (rawPath.includes('\\') || rawPath.startsWith('//')) return { ok: false, code: 'ROUTER_ERR_BAD_PATH' };
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    const seg = canonicalSegment(raw);
    if (!seg.ok) return seg;
    segments.push(seg.text);
  }
  const path = segments.join('/');
  // why: a target decodes the path as UTF-8; an escape that is not valid UTF-8 (overlong "%c0%ae") is answered by its
  // framework outside our catalogue, so it is refused here, where it is logged and counted.
  if (!isUtf8Escapes(path)) return { ok: false, code: 'ROUTER_ERR_BAD_PATH' };
  return { ok: true, kind: 'origin', path, url: q === -1 ? path : path + url.slice(q) };
}
