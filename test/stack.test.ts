// The whole stack under real pm2 on free ports: wscat handshakes through the router, webhooks, signatures, protocol errors.
import t from 'tap';
import WebSocket from 'ws';
import { twilioMessage } from '@tva/twilio-media-stream';
import { runCall } from '@tva/call-simulator';
import { encodeMulaw } from '@tva/audio';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { twilioSignature } from '@tva/security';
import { startStack } from '../apps/cli/src/stack/start-stack';
import { runWscat } from '../test-support/run-wscat';
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { httpRequest, postForm } from '../apps/cli/src/stack/http-get';
import { sid } from '../test-support/twilio-sids';

const AUTH_TOKEN = 'stack-test-auth-token';

t.test('the stack under pm2', async (t) => {
  const stack = await startStack({ AGENT: 'echo', TWILIO_AUTH_TOKEN: AUTH_TOKEN, DEPLOY_ID: 'stack-test', START_TIMEOUT_MS: '1500' });
  t.teardown(() => stack.stop());
  // Twilio signs the upgrade URL; the router forwards scheme and host, so the media worker checks ws://127.0.0.1:PORT/….
  const sigHeader = { 'x-twilio-signature': twilioSignature(AUTH_TOKEN, stack.wsUrl) };
  /** What Twilio does: ask incoming_call for TwiML, then start the stream with its <Parameter>s. */
  let calls = 0;
  const startFor = async (streamSid: string) => {
    calls += 1;
    const callSid = sid('CA', `stack${calls}`);
    const url = `${stack.baseUrl}/webhook/incoming_call`;
    const twiml = (await postForm(url, { CallSid: callSid }, { 'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, url, { CallSid: callSid }) })).body;
    const token = /name="call_token" value="([^"]+)"/.exec(twiml)?.[1] ?? '';
    return twilioMessage.start({ streamSid, callSid, accountSid: 'ACstack', customParameters: { call_sid: callSid, call_token: token }, sequenceNumber: 1 });
  };
  const media = twilioMessage.media({ streamSid: 'MZstack', sequenceNumber: 2, chunk: 1, timestamp: 0, payload: new Uint8Array(800).fill(0x55) });
  const signedWs = (protocols: string[] = []) => new WebSocket(stack.wsUrl, protocols, { headers: sigHeader });
  const wscatSig = ['-H', `X-Twilio-Signature: ${sigHeader['x-twilio-signature']}`];

  t.test('wscat -s audio.twilio.com: 101 with the subprotocol, and the echo agent answers', async (t) => {
    const r = await runWscat(stack.wsUrl, ['-s', 'audio.twilio.com', ...wscatSig], [twilioMessage.connected(), await startFor('MZstack'), media]);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /"event":"media","streamSid":"MZstack"/);
    t.match(r.stdout, /"event":"mark","streamSid":"MZstack","mark":\{"name":"echo-1"\}/);
  });

  t.test('wscat offering no subprotocol (as Twilio does) is accepted too', async (t) => {
    const r = await runWscat(stack.wsUrl, wscatSig, [twilioMessage.connected(), await startFor('MZstack'), media]);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /"event":"media"/);
  });

  t.test('wscat -H "Sec-WebSocket-Protocol: audio.twilio.com": the server echoes it (wscat then objects that it did not ask)', async (t) => {
    const r = await runWscat(stack.wsUrl, ['-H', 'Sec-WebSocket-Protocol: audio.twilio.com', ...wscatSig], [twilioMessage.connected()]);
    t.match(r.stderr, /Server sent a subprotocol but none was requested/, 'proof the header came back through the router');
  });

  t.test('the handshake itself: 101, subprotocol echoed when offered', async (t) => {
    for (const offered of [['audio.twilio.com'], []]) {
      const ws = signedWs(offered);
      let status = 0;
      ws.on('upgrade', (res) => (status = res.statusCode ?? 0));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      t.equal(status, 101);
      t.equal(ws.protocol, offered[0] ?? '');
      ws.close();
    }
  });

  t.test('with TWILIO_AUTH_TOKEN set, an unsigned or wrongly signed upgrade gets 403, logged', async (t) => {
    for (const headers of [{}, { 'x-twilio-signature': twilioSignature('wrong-token', stack.wsUrl) }]) {
      const ws = new WebSocket(stack.wsUrl, { headers });
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
      ws.terminate();
      t.equal(status, 403);
    }
    t.ok(await stack.logged((l) => l['event'] === 'WS_REJECT' && l['code'] === 'MEDIA_ERR_SIGNATURE'));
  });

  t.test('a start whose call token is forged, for another call, or replayed is closed with 1008', async (t) => {
    const good = await startFor('MZtok');
    const parsed = JSON.parse(good) as { start: { callSid: string; customParameters: Record<string, string> } };
    const forged = twilioMessage.start({ streamSid: 'MZf', callSid: parsed.start.callSid, accountSid: 'AC', customParameters: { ...parsed.start.customParameters, call_token: '1795468108.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, sequenceNumber: 1 });
    const otherCall = twilioMessage.start({ streamSid: 'MZo', callSid: 'CAother', accountSid: 'AC', customParameters: { call_token: parsed.start.customParameters['call_token'] as string }, sequenceNumber: 1 });
    const closeCode = async (startMsg: string) => {
      const ws = signedWs();
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<number>((r) => ws.on('close', (c) => r(c)));
      ws.send(twilioMessage.connected());
      ws.send(startMsg);
      const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(0), 1500))]);
      ws.terminate();
      return code;
    };
    t.equal(await closeCode(forged), 1008, 'forged token');
    t.equal(await closeCode(otherCall), 1008, 'token of another call');
    t.equal(await closeCode(good), 0, 'the real token opens the stream (still open after 1.5 s)');
    t.equal(await closeCode(good), 1008, 'the same token again is a replay');
    const rejected = () => stack.logs().filter((l) => l['event'] === 'WS_REJECT').map((l) => l['code']);
    for (const c of ['CALL_TOKEN_BAD_SIGNATURE', 'CALL_TOKEN_REPLAYED']) {
      await stack.waitFor(`${c} logged`, () => rejected().includes(c), 3000);
      t.ok(rejected().includes(c), `${c} logged`);
    }
  });

  t.test('no start within START_TIMEOUT_MS → closed with 1008, logged', async (t) => {
    const ws = signedWs();
    const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
    t.equal(code, 1008);
    t.ok(await stack.logged((l) => l['event'] === 'WS_REJECT' && l['code'] === 'TMS_ERR_START_TIMEOUT'));
  });

  t.test('bad frames close only their own socket with a logged code; a good call carries on', async (t) => {
    const good = signedWs();
    await new Promise((r) => good.once('open', r));
    good.send(twilioMessage.connected());
    good.send(await startFor('MZgood'));
    const cases: Array<[string, (ws: WebSocket) => void, number]> = [
      ['malformed JSON', (ws) => ws.send('{"event":'), 1007],
      ['unknown event', (ws) => ws.send('{"event":"party"}'), 1007],
      ['binary frame', (ws) => ws.send(Buffer.from([1, 2, 3])), 1003],
      ['oversized frame', (ws) => ws.send('x'.repeat(70 * 1024)), 1009],
      ['media before start', (ws) => ws.send(twilioMessage.media({ streamSid: 'MZ', sequenceNumber: 1, chunk: 1, timestamp: 0, payload: new Uint8Array(160) })), 1008],
    ];
    for (const [name, send, expected] of cases) {
      const ws = signedWs();
      await new Promise((r) => ws.once('open', r));
      ws.on('error', () => undefined);
      const closed = new Promise<number>((r) => ws.on('close', (c) => r(c)));
      send(ws);
      t.equal(await closed, expected, `${name} → ${expected}`);
    }
    const echoed = new Promise<string>((r) => good.on('message', (d) => r(d.toString())));
    good.send(twilioMessage.media({ streamSid: 'MZgood', sequenceNumber: 2, chunk: 1, timestamp: 0, payload: new Uint8Array(800).fill(1) }));
    t.match(await echoed, /"streamSid":"MZgood"/, 'the good call still gets its echo');
    good.close();
    const codes = () => stack.logs().filter((l) => l['event'] === 'WS_REJECT').map((l) => l['code']);
    for (const c of ['TMS_ERR_INVALID_JSON', 'TMS_ERR_UNKNOWN_EVENT', 'TMS_ERR_BINARY_FRAME', 'TMS_ERR_UNEXPECTED_EVENT']) {
      await stack.waitFor(`${c} logged`, () => codes().includes(c), 3000);
      t.ok(codes().includes(c), `${c} logged`);
    }
    const oversized = () => stack.logs().some((l) => l['event'] === 'WS_ERROR' && l['code'] === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    await stack.waitFor('oversized frame logged', oversized, 3000);
    t.ok(oversized(), 'oversized frame logged');
  });

  t.test('a simulated echo call gets its own audio back, with every mark echoed after it played', async (t) => {
    const pcm = new Int16Array(8000 * 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * (300 + i / 40) * i) / 8000));
    const audio = encodeMulaw(pcm);
    const params = (JSON.parse(await startFor('MZsim')) as { start: { callSid: string; customParameters: Record<string, string> } }).start;
    const result = await runCall({ url: stack.wsUrl, headers: sigHeader, callSid: params.callSid, customParameters: params.customParameters, audio, trailingSilenceMs: 1500 });
    t.same(result.errors, [], 'no simulator errors');
    t.ok(result.received.length >= audio.length, `received ${result.received.length} of ${audio.length} bytes`);
    t.ok(Buffer.from(result.received.subarray(0, audio.length)).equals(Buffer.from(audio)), 'the same bytes, in order (chunking may differ)');
    t.ok(result.marks.length >= audio.length / 800, `a mark per 100 ms chunk (${result.marks.length})`);
    // why: the marks after the caller's audio belong to echoed trailing silence, which the hang-up may cut short.
    const audioMarks = result.marks.slice(0, Math.floor(audio.length / 800));
    t.ok(audioMarks.every((m) => m.echoedAtMs !== null && !m.clearedBeforePlay), `every mark of the echoed audio came back after it played (${audioMarks.length})`);
    t.ok(result.firstAudioMs !== null && result.firstAudioMs < 1000, `first audio back at ${result.firstAudioMs} ms`);
    await stack.waitFor('WS_STOP', () => stack.logs().some((l) => l['event'] === 'WS_STOP' && l['streamSid'] === result.streamSid), 3000);
    const stop = stack.logs().find((l) => l['event'] === 'WS_STOP' && l['streamSid'] === result.streamSid);
    t.ok(stop, 'WS_STOP logged for the call');
    t.ok((stop?.['framesIn'] as number) >= 100 && (stop?.['bytesOut'] as number) >= audio.length, 'with frames and bytes each way');
  });

  t.test('gonogo against the stack: every check passes, exit 0', async (t) => {
    const gonogo = path.join(__dirname, '../apps/cli/dist/gonogo.js');
    const { stdout } = await promisify(execFile)(process.execPath, [gonogo, stack.baseUrl, '--deploy-id', 'stack-test', '--auth-token', AUTH_TOKEN], { timeout: 60000 });
    t.comment(stdout.trim());
    for (const id of ['A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'C3', 'D1']) t.match(stdout, new RegExp(`PASS  ${id} `), `${id} passes`);
    t.match(stdout, /GO: all 8 checks passed/);
  });

  t.test('gonogo against something that is not this stack: FAIL lines with the status seen and the likely cause, exit 1', async (t) => {
    const impostor = http.createServer((_req, res) => res.end('<html>hello</html>'));
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', r));
    t.teardown(() => impostor.close());
    const base = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`;
    const gonogo = path.join(__dirname, '../apps/cli/dist/gonogo.js');
    const run = await promisify(execFile)(process.execPath, [gonogo, base, '--skip-call'], { timeout: 60000 }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    t.equal(run.code, 1);
    t.match(run.stdout, /FAIL  A1 .*200 but not JSON/);
    t.match(run.stdout, /FAIL  B1 .*HTTP\/1.1 200/);
    t.match(run.stdout, /something other than the media worker answered \/ws/);
    t.match(run.stdout, /NO-GO/);
  });

  t.test('at start, webhooks prints where the console is (the README\'s first command ends with it)', async (t) => {
    t.ok(
      await stack.logged((l) => l['event'] === 'CONSOLE' && l['url'] === `${stack.baseUrl}/console` && /console: http/.test(String(l['msg']))),
      'a CONSOLE line with the URL built from PUBLIC_BASE_URL',
    );
  });

  t.test('webhooks through the router: signed requests pass, unsigned ones get 403', async (t) => {
    const url = `${stack.baseUrl}/webhook/incoming_call`;
    const params = { CallSid: sid('CA', 'sig'), From: '+972501234567' };
    const good = await postForm(url, params, { 'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, url, params) });
    t.equal(good.status, 200);
    t.match(good.body, `<Stream url="ws://127.0.0.1:${stack.port}/ws/twilio-media"`);
    const bad = await postForm(url, params, { 'x-twilio-signature': 'AAAA' });
    t.equal(bad.status, 403);
    const version = await httpRequest(`${stack.baseUrl}/version`);
    t.equal(JSON.parse(version.body).deployId, 'stack-test');
    t.notMatch(stack.output(), /\+972501234567/, 'the caller number never reaches the logs');
    t.notMatch(stack.output(), new RegExp(AUTH_TOKEN), 'the auth token never reaches the logs');
  });
});
