// Webhooks through fastify's inject(): TwiML shape, BASE rules, stream callbacks, signatures, /version.
import t from 'tap';
import { Writable } from 'node:stream';
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks';
import { loadConfig } from '@tva/config';
import { createLogger } from '@tva/logging';
import { internalSignature, verifyCallToken } from '@tva/security';
import { DtmfOnlySttProvider, EspeakTtsProvider, ScriptedLlmProvider } from '@tva/providers';
import { buildApp } from '../src/build-app';

const offline = { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: new EspeakTtsProvider() };

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

function appWith(env: Record<string, string>) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const config = loadConfig(env);
  const app = buildApp({ config, logger: createLogger({ service: 'webhooks', destination: sink }), outcomeWaitMs: 400, providers: offline });
  return { app, lines, config };
}

t.test('incoming_call answers the exact <Connect><Stream> TwiML from the forwarded host', async (t) => {
  const { app, config } = appWith({});
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/webhook/incoming_call',
    headers: { ...FORM_HEADERS, host: '127.0.0.1:8082', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'agent.example.com' },
    payload: form({ CallSid: 'CA123', From: '+972500000000' }),
  });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/xml/);
  const token = /name="call_token" value="([^"]+)"/.exec(res.body)?.[1];
  t.equal(
    res.body,
    '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://agent.example.com/webhook/stream_ended">' +
      '<Stream url="wss://agent.example.com/ws/twilio-media" statusCallback="https://agent.example.com/webhook/stream_status">' +
      `<Parameter name="call_sid" value="CA123"/><Parameter name="call_token" value="${token}"/></Stream></Connect></Response>`,
  );
  t.equal(verifyCallToken(config.callTokenSecret, 'CA123', token), null, 'the call token verifies for this call');
  t.notMatch(res.body, /<Play>/);
});

t.test('PUBLIC_BASE_URL wins, and no "//" appears inside a path even with a trailing slash', async (t) => {
  const { app } = appWith({ PUBLIC_BASE_URL: 'https://voice.example.org/' });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/webhook/incoming_call', headers: FORM_HEADERS, payload: form({ CallSid: 'CA1' }) });
  t.match(res.body, 'url="wss://voice.example.org/ws/twilio-media"');
  t.notMatch(res.body.replace(/(https|wss):\/\//g, ''), /\/\//);
});

t.test('a form without CallSid gets 400 with a code', async (t) => {
  const { app, lines } = appWith({});
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/webhook/incoming_call', headers: FORM_HEADERS, payload: form({}) });
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'WH_ERR_MISSING_CALL_SID');
  t.ok(lines.some((l) => l['code'] === 'WH_ERR_MISSING_CALL_SID'), 'the rejection is logged with its code');
});

t.test('stream_status parses the form, logs the event, answers 204; stream_ended answers 204', async (t) => {
  const { app, lines } = appWith({});
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/webhook/stream_status',
    headers: FORM_HEADERS,
    payload: form({ CallSid: 'CA9', StreamSid: 'MZ9', StreamEvent: 'stream-error', StreamError: 'Stream - WebSocket - Connection Broken' }),
  });
  t.equal(res.statusCode, 204);
  const line = lines.find((l) => l['event'] === 'STREAM_STATUS');
  t.equal(line?.['streamEvent'], 'stream-error');
  t.equal(line?.['streamError'], 'Stream - WebSocket - Connection Broken');
  const ended = await app.inject({ method: 'POST', url: '/webhook/stream_ended', headers: FORM_HEADERS, payload: form({ CallSid: 'CA9' }) });
  t.equal(ended.statusCode, 200, 'stream_ended after a stream error continues the call');
  t.match(ended.body, '<Record');
});

t.test('with TWILIO_AUTH_TOKEN, signatures made by the twilio library are accepted and wrong ones refused', async (t) => {
  const token = 'test-auth-token-123';
  const { app, lines } = appWith({ TWILIO_AUTH_TOKEN: token, PUBLIC_BASE_URL: 'https://agent.example.com' });
  t.teardown(() => app.close());
  const params = { CallSid: 'CA77', From: '+15550001111', To: '+15550002222' };
  const url = 'https://agent.example.com/webhook/incoming_call';
  const signature = getExpectedTwilioSignature(token, url, params);
  t.ok(validateRequest(token, signature, url, params), 'the reference validator agrees with itself');

  const good = await app.inject({ method: 'POST', url: '/webhook/incoming_call', headers: { ...FORM_HEADERS, 'x-twilio-signature': signature }, payload: form(params) });
  t.equal(good.statusCode, 200);

  const bad = await app.inject({ method: 'POST', url: '/webhook/incoming_call', headers: { ...FORM_HEADERS, 'x-twilio-signature': signature }, payload: form({ ...params, To: '+1999' }) });
  t.equal(bad.statusCode, 403);
  t.equal(bad.json().code, 'WH_ERR_SIGNATURE_INVALID');

  const missing = await app.inject({ method: 'POST', url: '/webhook/incoming_call', headers: FORM_HEADERS, payload: form(params) });
  t.equal(missing.statusCode, 403);
  t.equal(missing.json().code, 'WH_ERR_SIGNATURE_MISSING');
  t.ok(lines.some((l) => l['event'] === 'SIGNATURE_INVALID' && l['code'] === 'WH_ERR_SIGNATURE_INVALID'), 'logged with its code');

  const status = await app.inject({ method: 'POST', url: '/webhook/stream_status', headers: FORM_HEADERS, payload: form({ CallSid: 'CA77', StreamEvent: 'stream-stopped' }) });
  t.equal(status.statusCode, 204, 'stream_status still answers 204 when unsigned');
  t.equal(lines.find((l) => l['event'] === 'STREAM_STATUS')?.['signed'], false, '…and marks the event unsigned');
});

t.test('behind the router, the forwarded scheme and host make the signed URL', async (t) => {
  const token = 'tok-2';
  const { app } = appWith({ TWILIO_AUTH_TOKEN: token });
  t.teardown(() => app.close());
  const params = { CallSid: 'CA5' };
  const signature = getExpectedTwilioSignature(token, 'https://public.example.net/webhook/incoming_call', params);
  const res = await app.inject({
    method: 'POST',
    url: '/webhook/incoming_call',
    headers: { ...FORM_HEADERS, host: '127.0.0.1:8082', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example.net', 'x-twilio-signature': signature },
    payload: form(params),
  });
  t.equal(res.statusCode, 200);
});

t.test('/version shows the deployment id, version and start time, and no secret', async (t) => {
  const { app } = appWith({ DEPLOY_ID: 'deploy-42', TWILIO_AUTH_TOKEN: 'supersecret', GIT_SHA: 'abc123' });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/version' });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.deployId, 'deploy-42');
  t.equal(body.gitSha, 'abc123');
  t.match(body.version, /^\d+\.\d+\.\d+/);
  t.ok(Date.parse(body.startedAt) > 0);
  t.notMatch(res.body, /supersecret/);
});

t.test('stream_ended follows the media worker\'s account: hang up after end_call, dial after transfer, nothing otherwise', async (t) => {
  const { app, config, lines } = appWith({ CALL_TOKEN_SECRET: 'internal-key' });
  t.teardown(() => app.close());
  const tell = (o: Record<string, unknown>, signWith = config.callTokenSecret) => {
    const body = JSON.stringify(o);
    return app.inject({ method: 'POST', url: '/internal/stream-outcome', headers: { 'content-type': 'application/json', 'x-internal-signature': internalSignature(signWith, body) }, payload: body });
  };
  const ended = (callSid: string) => app.inject({ method: 'POST', url: '/webhook/stream_ended', headers: FORM_HEADERS, payload: form({ CallSid: callSid }) });

  t.equal((await tell({ callSid: 'CAend', streamSid: 'MZ1', endedBy: 'agent-end', closeCode: 1000 })).statusCode, 204);
  const hang = await ended('CAend');
  t.equal(hang.statusCode, 200);
  t.equal(hang.body, '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');

  await tell({ callSid: 'CAxfer', streamSid: 'MZ2', endedBy: 'transfer', closeCode: 1000, transferTo: '+972501112222' });
  t.match((await ended('CAxfer')).body, '<Dial>+972501112222</Dial>');

  const pending = ended('CAlate');
  await new Promise((r) => setTimeout(r, 100));
  await tell({ callSid: 'CAlate', streamSid: 'MZ3', endedBy: 'agent-end', closeCode: 1000 });
  t.match((await pending).body, '<Hangup/>', 'an outcome that arrives while stream_ended waits is used');

  const unknown = await ended('CAnone');
  t.equal(unknown.statusCode, 200);
  t.match(unknown.body, '<Record', 'no account of the stream (the worker died): the call continues in RECORD mode');

  const forged = await tell({ callSid: 'CAend', streamSid: 'MZ1', endedBy: 'transfer', closeCode: 1000, transferTo: '+1900' }, 'wrong-key');
  t.equal(forged.statusCode, 403);
  t.equal(forged.json().code, 'WH_ERR_INTERNAL_SIGNATURE');
  t.ok(lines.some((l) => l['code'] === 'WH_ERR_INTERNAL_SIGNATURE'), 'logged with its code');
});

t.test('a client over WEBHOOK_RATE_LIMIT gets 429 with a code; other clients are unaffected', async (t) => {
  const { app, lines } = appWith({ WEBHOOK_RATE_LIMIT: '3' });
  t.teardown(() => app.close());
  const from = (ip: string) => app.inject({ method: 'GET', url: '/version', headers: { 'x-forwarded-for': `${ip}, 10.0.0.1` } });
  for (let i = 0; i < 3; i++) t.equal((await from('203.0.113.5')).statusCode, 200);
  const limited = await from('203.0.113.5');
  t.equal(limited.statusCode, 429);
  t.equal(limited.json().code, 'WH_ERR_RATE_LIMITED');
  t.equal((await from('198.51.100.7')).statusCode, 200, 'another address still passes');
  const spoofed = await app.inject({ method: 'GET', url: '/version', headers: { 'x-forwarded-for': '203.0.113.5, 198.51.100.9, 10.0.0.1' } });
  t.equal(spoofed.statusCode, 200, 'a forged first hop does not count against the forged address');
  t.ok(lines.some((l) => l['code'] === 'WH_ERR_RATE_LIMITED'), 'logged with its code');
});
