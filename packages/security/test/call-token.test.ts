// Per-call tokens: good ones pass; forged, foreign, stale or garbled ones say why.
import t from 'tap';
import { createCallToken, verifyCallToken } from '../src/index';

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
