// The per-call token: webhooks put it in a <Parameter>, the media worker checks it at `start`.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type CallTokenProblem = 'CALL_TOKEN_MISSING' | 'CALL_TOKEN_MALFORMED' | 'CALL_TOKEN_BAD_SIGNATURE' | 'CALL_TOKEN_EXPIRED';

function sign(secret: string, callSid: string, issuedAtS: number): string {
  return createHmac('sha256', secret).update(`${callSid}.${issuedAtS}`).digest('base64url');
}

/** `<issuedAt seconds>.<HMAC-SHA256(callSid.issuedAt)>`; well under Twilio's 500-character parameter limit. */
export function createCallToken(secret: string, callSid: string, nowMs: number = Date.now()): string {
  const issuedAtS = Math.floor(nowMs / 1000);
  return `${issuedAtS}.${sign(secret, callSid, issuedAtS)}`;
}

/** Checks a token for this call; returns null when it is good, else what is wrong. */
export function verifyCallToken(
  secret: string,
  callSid: string,
  token: string | undefined,
  opts: { nowMs?: number; maxAgeMs?: number } = {},
): CallTokenProblem | null {
  if (!token) return 'CALL_TOKEN_MISSING';
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return 'CALL_TOKEN_MALFORMED';
  const issuedAtS = Number(m[1]);
  const expected = Buffer.from(sign(secret, callSid, issuedAtS));
  const given = Buffer.from(m[2] as string);
  if (!timingSafeEqual(expected, given)) return 'CALL_TOKEN_BAD_SIGNATURE';
  const ageMs = (opts.nowMs ?? Date.now()) - issuedAtS * 1000;
  if (ageMs > (opts.maxAgeMs ?? 5 * 60_000) || ageMs < -60_000) return 'CALL_TOKEN_EXPIRED';
  return null;
}
