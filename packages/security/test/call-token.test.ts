// Per-call tokens: good ones pass; forged, foreign, stale or garbled ones say why.
import t from 'tap';
import { CALL_TOKEN_MAX_AGE_MS, callTokenIssuedAtMs, createCallToken, verifyCallToken } from '../src/index';

const now = 1_800_000_000_000;

t.test('a fresh token for the same call verifies', async (t) => {
  t.equal(verifyCallToken('k', 'CA1', createCallToken('k', 'CA1', now), { nowMs: now + 1000 }), null);
});

t.test('a token for another call, key or time is rejected with its reason', async (t) => {
  const tok = createCallToken('k', 'CA1', now);
  t.equal(verifyCallToken('k', 'CA2', tok, { nowMs: now }), 'CALL_TOKEN_BAD_SIGNATURE');
  t.equal(verifyCallToken('other', 'CA1', tok, { nowMs: now }), 'CALL_TOKEN_BAD_SIGNATURE');
  t.equal(verifyCallToken('k', 'CA1', tok, { nowMs: now + 6 * 60_000 }), 'CALL_TOKEN_EXPIRED');
  t.equal(verifyCallToken('k', 'CA1', undefined), 'CALL_TOKEN_MISSING');
  t.equal(verifyCallToken('k', 'CA1', 'garbage'), 'CALL_TOKEN_MALFORMED');
  t.ok(tok.length < 500, 'fits in a Twilio <Parameter> value');
});

t.test('only the canonical spelling that was signed is accepted: leading zeros, signs and spaces are refused', async (t) => {
  const tok = createCallToken('k', 'CA1', now);
  const [issuedAt, mac] = tok.split('.') as [string, string];
  for (const variant of [`0${tok}`, `00${tok}`, `+${tok}`, ` ${tok}`, `${tok} `, `${tok}\n`, `${issuedAt}.0.${mac}`, `${issuedAt}..${mac}`, `${issuedAt}.${mac}=`, `0x${Number(issuedAt).toString(16)}.${mac}`]) {
    t.not(verifyCallToken('k', 'CA1', variant, { nowMs: now }), null, JSON.stringify(variant.slice(0, 16)));
  }
  t.equal(verifyCallToken('k', 'CA1', `0${tok}`, { nowMs: now }), 'CALL_TOKEN_MALFORMED', 'a leading zero is malformed');
  // the last base64url character carries 2 unused bits: another character with the same 4 bits decodes alike
  const last = mac.at(-1) as string;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sibling = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)] as string;
  t.equal(verifyCallToken('k', 'CA1', `${issuedAt}.${mac.slice(0, -1)}${sibling}`, { nowMs: now }), 'CALL_TOKEN_BAD_SIGNATURE', 'an alias of the MAC is refused');
  t.equal(verifyCallToken('k', 'CA1', tok, { nowMs: now }), null, 'the token itself still verifies');
});

t.test('callTokenIssuedAtMs reads the issue time of a canonical token only', async (t) => {
  t.equal(callTokenIssuedAtMs(createCallToken('k', 'CA1', now)), now);
  t.equal(callTokenIssuedAtMs(`0${createCallToken('k', 'CA1', now)}`), undefined);
  t.equal(callTokenIssuedAtMs('garbage'), undefined);
  t.equal(CALL_TOKEN_MAX_AGE_MS, 5 * 60_000);
});
