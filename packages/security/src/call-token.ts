// The per-call token: webhooks put it in a <Parameter>, the media worker checks it at `start`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallTokenCode } from './security-errors';

/** What verifyCallToken can find wrong (replays and a mismatched call_sid are the media worker's own checks). */
export type CallTokenProblem = Exclude<CallTokenCode, 'CALL_TOKEN_REPLAYED' | 'CALL_TOKEN_WRONG_CALL'>;

/** A token older than this is expired; a used token need only be remembered this long. */
export const CALL_TOKEN_MAX_AGE_MS = 5 * 60_000;

/** The only spelling accepted: seconds without a sign or leading zeros, a dot, 43 base64url characters. */
const CANONICAL = /^(0|[1-9]\d{0,11})\.([A-Za-z0-9_-]{43})$/;

function sign(secret: string, callSid: string, issuedAtS: number): string {
  return createHmac('sha256', secret).update(`${callSid}.${issuedAtS}`).digest('base64url');
}

function tokenFor(secret: string, callSid: string, issuedAtS: number): string {
  return `${issuedAtS}.${sign(secret, callSid, issuedAtS)}`;
}

/** `<issuedAt seconds>.<HMAC-SHA256(callSid.issuedAt)>`; well under Twilio's 500-character parameter limit. */
export function createCallToken(secret: string, callSid: string, nowMs: number = Date.now()): string {
  return tokenFor(secret, callSid, Math.floor(nowMs / 1000));
}

/** When a well-formed token was issued (ms since the epoch); undefined when it is not in the canonical form. */
export function callTokenIssuedAtMs(token: string): number | undefined {
  const m = CANONICAL.exec(token);
  return m ? Number(m[1]) * 1000 : undefined;
}

/** Checks a token for this call; returns null when it is good, else what is wrong. */
export function verifyCallToken(
  secret: string,
  callSid: string,
  token: string | undefined,
  opts: { nowMs?: number; maxAgeMs?: number } = {},
): CallTokenProblem | null {
  if (!token) return 'CALL_TOKEN_MISSING';
  const m = CANONICAL.exec(token);
  if (!m) return 'CALL_TOKEN_MALFORMED';
  const issuedAtS = Number(m[1]);
  // why: the whole string must equal the one we issued, so a token has exactly one spelling and the used-token
  // set (keyed on it) cannot be dodged — "0" + token once opened a second stream.
  const expected = Buffer.from(tokenFor(secret, callSid, issuedAtS));
  const given = Buffer.from(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'CALL_TOKEN_BAD_SIGNATURE';
  const ageMs = (opts.nowMs ?? Date.now()) - issuedAtS * 1000;
  if (ageMs > (opts.maxAgeMs ?? CALL_TOKEN_MAX_AGE_MS) || ageMs < -60_000) return 'CALL_TOKEN_EXPIRED';
  return null;
}
