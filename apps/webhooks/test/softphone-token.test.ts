// POST /api/softphone/token on its own (the console's access and CSRF checks are in test/console-auth.test.ts).
import t from 'tap';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { createLogger } from '@tva/logging';
import { SOFTPHONE_STREAM_PATH, SOFTPHONE_TOKEN_MAX_AGE_MS, verifyCallToken, verifySoftphoneToken } from '@tva/security';
import { registerSoftphoneToken, type SoftphoneTokenReply } from '../src/console/softphone-token';

const SECRET = 'softphone-route-secret';

t.test('each POST mints a fresh browser CallSid with a token only the softphone path accepts, never cached', async (t) => {
  const lines: string[] = [];
  const app = Fastify();
  registerSoftphoneToken(app, { callTokenSecret: SECRET, logger: createLogger({ service: 'webhooks', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) }) });
  t.teardown(() => app.close());
  const first = await app.inject({ method: 'POST', url: '/api/softphone/token' });
  const second = await app.inject({ method: 'POST', url: '/api/softphone/token' });
  t.equal(first.statusCode, 200);
  t.equal(first.headers['cache-control'], 'no-store', 'never cached');
  const a = first.json<SoftphoneTokenReply>();
  const b = second.json<SoftphoneTokenReply>();
  t.match(a.callSid, /^CA[0-9a-f]{32}$/);
  t.not(a.callSid, b.callSid, 'a new call each time');
  t.equal(a.path, SOFTPHONE_STREAM_PATH);
  t.equal(a.expiresInMs, SOFTPHONE_TOKEN_MAX_AGE_MS);
  t.equal(verifySoftphoneToken(SECRET, a.callSid, a.token), null, 'the media worker accepts it for this CallSid');
  t.equal(verifySoftphoneToken(SECRET, b.callSid, a.token), 'CALL_TOKEN_BAD_SIGNATURE', 'not for another call');
  t.equal(verifyCallToken(SECRET, a.callSid, a.token), 'CALL_TOKEN_BAD_SIGNATURE', 'not as a Twilio call token');
  t.equal(verifySoftphoneToken(SECRET, a.callSid, a.token, Date.now() + SOFTPHONE_TOKEN_MAX_AGE_MS + 1000), 'CALL_TOKEN_EXPIRED', 'short-lived');
  t.ok(lines.some((l) => l.includes('"event":"SOFTPHONE_TOKEN"') && l.includes(a.callSid) && !l.includes(a.token)), 'logged with its CallSid, never the token');
});
