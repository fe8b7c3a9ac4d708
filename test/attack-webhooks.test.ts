// Attacks on webhooks through the public port (the router) of a real stack: /internal/* reach, client-chosen hosts,
// control characters in TwiML, redirected recording downloads, oversized bodies.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { INTERNAL_PATHS, INTERNAL_SIGNATURE_HEADER, internalSignature, twilioSignature } from '@tva/security';
import { twilioMessage } from '@tva/twilio-media-stream';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { postForm } from '../apps/cli/src/stack/http-get';
import { assertTwiml } from '../test-support/well-formed-xml';
import { sid } from '../test-support/twilio-sids';

const TOKEN = 'attack-webhooks-auth-token';
const SECRET = 'attack-webhooks-internal-secret';
const PUBLIC = 'https://agent.example.com';

/** Sends exactly these bytes (no client-side URL normalisation) and returns the status and body of the answer (Connection: close). */
function raw(port: number, request: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer in ${timeoutMs} ms to ${request.split('\r\n')[0]}`)));
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    // why: write, not end: a half-closed client reads to a proxy as a client that left, and it may drop the request.
    socket.write(request);
  });
}

/** A raw POST of a signed internal notice with `target` as the request-target (origin-form or absolute-form). */
function internalNotice(target: string, body: string, host = '127.0.0.1'): string {
  return (
    `POST ${target} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `${INTERNAL_SIGNATURE_HEADER}: ${internalSignature(SECRET, body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** POSTs a form to the router signed the way Twilio signs it: over PUBLIC_BASE_URL + path (or `signedUrl`). */
function twilioPost(stack: Stack, path: string, params: Record<string, string>, opts: { signedUrl?: string; headers?: Record<string, string> } = {}) {
  const signature = getExpectedTwilioSignature(TOKEN, opts.signedUrl ?? `${PUBLIC}${path}`, params);
  return postForm(`${stack.baseUrl}${path}`, params, { 'x-twilio-signature': signature, ...opts.headers });
}

/** A loopback HTTP server that remembers every request and answers with `route`. */
async function listen(host: string, route: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    route(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return { seen, base: `http://${host}:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

t.test('webhooks attacked through the router, signatures on (TWILIO_AUTH_TOKEN + PUBLIC_BASE_URL)', async (t) => {
  const stack = await startStack({
    AGENT: 'echo',
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_ACCOUNT_SID: sid('AC', 'attack'),
    PUBLIC_BASE_URL: PUBLIC,
    CALL_TOKEN_SECRET: SECRET,
  });
  t.teardown(() => stack.stop());
  const webhooksLines = () => stack.logs().filter((l) => l['service'] === 'webhooks');

  t.test('1.1: a signed /internal/stream-outcome sent to the public port never reaches a handler, however it is spelled', async (t) => {
    const victim = sid('CA', 'internal-victim');
    const body = JSON.stringify({ callSid: victim, streamSid: sid('MZ', 'victim'), endedBy: 'agent-end', closeCode: 1000 });
    const targets = [
      INTERNAL_PATHS.streamOutcome,
      '/x/../internal/stream-outcome',
      '/webhook/%2e%2e/internal/stream-outcome',
      '/webhook/%2E%2E/internal/stream-outcome',
      '/webhook/..%2finternal/stream-outcome',
      '/%69nternal/stream-outcome',
      '/./internal/stream-outcome',
      '//internal/stream-outcome',
      '/internal%2fstream-outcome',
      '/internal/stream-outcome?x=1',
      '/internal/./stream-outcome',
      `http://127.0.0.1:${stack.webhooksPort}/internal/stream-outcome`,
      `http://127.0.0.1:${stack.internalPort}/internal/stream-outcome`,
      `http://localhost:${stack.port}/internal/stream-outcome`,
    ];
    for (const target of targets) {
      const res = await raw(stack.port, internalNotice(target, body));
      t.ok(res.status >= 400 && res.status < 500, `POST ${target} → ${res.status}`);
    }
    // The listener itself: webhooks' public port has no /internal/* route at all.
    const direct = await raw(stack.webhooksPort, internalNotice(INTERNAL_PATHS.streamOutcome, body));
    t.equal(direct.status, 404, 'webhooks\' public listener has no /internal/* route');
    t.equal(JSON.parse(direct.body).code, 'WH_ERR_NOT_FOUND');

    t.notOk(webhooksLines().some((l) => l['event'] === 'STREAM_OUTCOME' && l['callSid'] === victim), 'no outcome was recorded for the victim call');
    const ended = await twilioPost(stack, '/webhook/stream_ended', { CallSid: victim });
    t.equal(ended.status, 200);
    assertTwiml(t, ended.body);
    t.notMatch(ended.body, '<Hangup/>', 'the victim call is not hung up: none of the notices counted');
    t.match(ended.body, '<Record', 'no account of its stream: RECORD fallback');
  });

  t.test('1.1: the same signed notice to the internal port (127.0.0.1:INTERNAL_PORT) is recorded', async (t) => {
    const call = sid('CA', 'internal-ok');
    const body = JSON.stringify({ callSid: call, streamSid: sid('MZ', 'ok'), endedBy: 'agent-end', closeCode: 1000 });
    const res = await raw(stack.internalPort, internalNotice(INTERNAL_PATHS.streamOutcome, body));
    t.equal(res.status, 204);
    const ended = await twilioPost(stack, '/webhook/stream_ended', { CallSid: call });
    t.equal(ended.body, '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    const forged = await raw(stack.internalPort, internalNotice(INTERNAL_PATHS.streamOutcome, body).replace(/(x-internal-signature: )\S+/, '$1AAAA'));
    t.equal(forged.status, 403, 'the HMAC is still required there');
    const misshapen = JSON.stringify({ callSid: call, streamSid: 'MZ', endedBy: 'transfer:+1900', closeCode: 1000 });
    t.equal((await raw(stack.internalPort, internalNotice(INTERNAL_PATHS.streamOutcome, misshapen))).status, 400, 'a signed notice of the wrong shape is refused');
  });

  t.test('1.1: a real stream\'s outcome travels from the media worker to webhooks over the internal port', async (t) => {
    const callSid = sid('CA', 'real-stream');
    const streamSid = sid('MZ', 'real-stream');
    const twiml = (await twilioPost(stack, '/webhook/incoming_call', { CallSid: callSid })).body;
    const token = /name="call_token" value="([^"]+)"/.exec(twiml)?.[1] ?? '';
    const ws = new WebSocket(stack.wsUrl, { headers: { 'x-twilio-signature': twilioSignature(TOKEN, `${PUBLIC.replace(/^https/, 'wss')}/ws/twilio-media`) } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(twilioMessage.connected());
    ws.send(twilioMessage.start({ streamSid, callSid, accountSid: sid('AC', 'attack'), customParameters: { call_sid: callSid, call_token: token }, sequenceNumber: 1 }));
    t.ok(await stack.logged((l) => l['event'] === 'WS_START' && l['callSid'] === callSid), 'the stream started');
    ws.close(1000);
    t.ok(await stack.logged((l) => l['service'] === 'webhooks' && l['event'] === 'STREAM_OUTCOME' && l['callSid'] === callSid), 'webhooks recorded its outcome');
    t.notOk(stack.logs().some((l) => l['event'] === 'OUTCOME_NOTIFY'), 'the media worker had no trouble notifying');
  });

  t.test('1.9: X-Forwarded-Host: other-app.example.com with a signature matching that host → 403 (webhook and upgrade)', async (t) => {
    const params = { CallSid: sid('CA', 'other-app') };
    const headers = { 'x-forwarded-host': 'other-app.example.com', 'x-forwarded-proto': 'https' };
    const res = await twilioPost(stack, '/webhook/incoming_call', params, { signedUrl: 'https://other-app.example.com/webhook/incoming_call', headers });
    t.equal(res.status, 403);
    t.equal(JSON.parse(res.body).code, 'WH_ERR_SIGNATURE_INVALID');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(stack.wsUrl, { headers: { ...headers, 'x-twilio-signature': twilioSignature(TOKEN, 'wss://other-app.example.com/ws/twilio-media') } });
      ws.on('unexpected-response', (_req, r) => {
        resolve(r.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.on('error', () => resolve(0));
    });
    t.equal(status, 403, 'the upgrade signed for another host is refused too');
    const good = await twilioPost(stack, '/webhook/incoming_call', params, { headers });
    t.equal(good.status, 200, 'signed for PUBLIC_BASE_URL: accepted whatever the forwarded host says');
    assertTwiml(t, good.body);
    t.match(good.body, 'url="wss://agent.example.com/ws/twilio-media"', 'the TwiML uses PUBLIC_BASE_URL');
    t.notMatch(good.body, /other-app/);
  });

  t.test('1.10: control characters in a signed CallSid get 400 with a code; every TwiML answer is well-formed XML', async (t) => {
    for (const bad of ['\u0000', '\u0001', '\uFFFE']) {
      const callSid = `${sid('CA', 'ctl').slice(0, -1)}${bad}`;
      const res = await twilioPost(stack, '/webhook/incoming_call', { CallSid: callSid });
      t.equal(res.status, 400, JSON.stringify(bad));
      t.match(JSON.parse(res.body), { code: 'WH_ERR_BAD_FIELD', field: 'CallSid' });
    }
    const short = await twilioPost(stack, '/webhook/incoming_call', { CallSid: 'CA123' });
    t.equal(short.status, 400, 'a CallSid that is not CA + 32 hex is refused');
    const good = await twilioPost(stack, '/webhook/incoming_call', { CallSid: sid('CA', 'ctl-good'), From: '+972501234567' });
    t.equal(good.status, 200);
    assertTwiml(t, good.body);
    t.ok(await stack.logged((l) => l['service'] === 'webhooks' && l['code'] === 'WH_ERR_BAD_FIELD' && l['level'] === 'warn'), 'logged at warn with its code');
  });

  t.test('1.8: a RECORD turn whose recording URL redirects to 127.0.0.2 fetches nothing from 127.0.0.2', async (t) => {
    const elsewhere = await listen('127.0.0.2', (_req, res) => res.writeHead(200, { 'content-type': 'audio/x-wav' }).end('RIFF'));
    const origin = await listen('127.0.0.1', (_req, res) => res.writeHead(302, { location: `${elsewhere.base}/stolen.wav` }).end());
    t.teardown(async () => {
      await elsewhere.close();
      await origin.close();
    });
    const call = sid('CA', 'redirect');
    const res = await twilioPost(stack, '/webhook/recording', { CallSid: call, RecordingUrl: `${origin.base}/2010-04-01/Accounts/AC1/Recordings/${sid('RE', 1)}`, RecordingDuration: '2' });
    t.equal(res.status, 200, 'the caller still gets an answer');
    assertTwiml(t, res.body);
    t.match(res.body, '<Record', '…and the call goes on');
    t.equal(origin.seen.length, 1, 'the loopback URL was asked');
    t.same(elsewhere.seen, [], 'not one request reached 127.0.0.2');
    t.ok(await stack.logged((l) => l['callSid'] === call && l['code'] === 'REC_ERR_RECORDING_URL'), 'the refused redirect is logged with its code');
  });

  t.test('1.6: a body over the limit is 413; a body that stops short is a client error, never a webhooks error line', async (t) => {
    const huge = await twilioPost(stack, '/webhook/incoming_call', { CallSid: sid('CA', 'huge'), Pad: 'x'.repeat(100 * 1024) });
    t.equal(huge.status, 413);
    const started = Date.now();
    const short = await raw(
      stack.port,
      `POST /webhook/incoming_call HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\nConnection: close\r\n\r\nCallSid=${sid('CA', 'short')}`,
      15000,
    ).catch((err: Error) => ({ status: 0, body: err.message }));
    t.comment(`a body shorter than its Content-Length: ${short.status} after ${Date.now() - started} ms`);
    t.ok(short.status === 0 || (short.status >= 400 && short.status < 500), 'answered with a client error, or closed');
  });

  t.test('no webhooks error line from any of these attacks', async (t) => {
    t.same(webhooksLines().filter((l) => l['level'] === 'error' || l['level'] === 'fatal'), []);
  });
});

t.test('webhooks attacked through the router, no auth token, TRUST_PROXY=1: a bad host is never used and never a 500', async (t) => {
  const stack = await startStack({ AGENT: 'echo', TRUST_PROXY: '1' });
  t.teardown(() => stack.stop());
  const call = { CallSid: sid('CA', 'bad-host') };
  const badHost = await postForm(`${stack.baseUrl}/webhook/incoming_call`, call, { host: 'a b' });
  t.equal(badHost.status, 400, 'Host: a b → 400');
  // The router drops a malformed forwarded value (then the Host is used) or passes it on (then webhooks refuses it).
  for (const [header, value] of [['x-forwarded-host', 'a b'], ['x-forwarded-host', 'a"><Hangup/>'], ['x-forwarded-proto', 'javascript']] as const) {
    const res = await postForm(`${stack.baseUrl}/webhook/incoming_call`, call, { [header]: value });
    t.ok(res.status === 400 || res.status === 200, `${header}: ${value} → ${res.status}`);
    if (res.status === 200) {
      assertTwiml(t, res.body);
      t.notOk(res.body.includes(value), 'the bad value is not in the TwiML');
    }
  }
  // Reached directly (a local process, not the router), webhooks itself refuses the same headers with its code.
  for (const headers of [{ 'x-forwarded-host': 'a b' }, { 'x-forwarded-proto': 'javascript' }] as Array<Record<string, string>>) {
    const res = await postForm(`http://127.0.0.1:${stack.webhooksPort}/webhook/incoming_call`, call, headers);
    t.equal(res.status, 400, `direct ${JSON.stringify(headers)}`);
    t.equal(JSON.parse(res.body).code, 'WH_ERR_BAD_HOST');
  }
  t.ok(await stack.logged((l) => l['service'] === 'webhooks' && l['code'] === 'WH_ERR_BAD_HOST' && l['level'] === 'warn'), 'webhooks logged WH_ERR_BAD_HOST at warn');
  const good = await postForm(`${stack.baseUrl}/webhook/incoming_call`, call, { 'x-forwarded-host': 'agent.example.net', 'x-forwarded-proto': 'https' });
  t.equal(good.status, 200, 'a real hostname from the trusted proxy hop is used');
  assertTwiml(t, good.body);
  t.match(good.body, 'url="wss://agent.example.net/ws/twilio-media"');
  t.same(stack.logs().filter((l) => l['service'] === 'webhooks' && (l['level'] === 'error' || l['level'] === 'fatal')), [], 'no error line');
});
