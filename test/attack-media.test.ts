// Attacks on the media worker through the public port (the router) of a real stack with signatures on: findings 1.2, 1.3, 1.4, 1.11.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { parseTwiml, SimulatedCall } from '@tva/call-simulator';
import { twilioSignature } from '@tva/security';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { httpRequest, postForm } from '../apps/cli/src/stack/http-get';
import { within } from '../test-support/wait-until';

const AUTH = 'attack-media-auth-token';

type Line = Record<string, unknown>;
interface CallStart {
  callSid: string;
  customParameters: Record<string, string>;
}

const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;

t.test('attacks on the media worker through the router', async (t) => {
  // the voice agent with the offline script (DTMF 9 = goodbye → end_call); START_TIMEOUT_MS long so idle sockets stay idle
  const stack: Stack = await startStack((port) => ({
    AGENT: 'voice',
    TWILIO_AUTH_TOKEN: AUTH,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    MAX_CALLS: '3',
    START_TIMEOUT_MS: '30000',
  }));
  t.teardown(() => stack.stop());
  await stack.waitFor('phrases cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'), 30000);
  const upgradeHeaders = { 'x-twilio-signature': twilioSignature(AUTH, stack.wsUrl) };

  /** A Twilio-signed webhook POST through the router. */
  const signedPost = (path: string, form: Record<string, string>) => {
    const url = `${stack.baseUrl}${path}`;
    return postForm(url, form, { 'x-twilio-signature': twilioSignature(AUTH, url, form) });
  };
  /** What Twilio does first: incoming_call, then read the <Parameter>s of the <Stream> (retrying while webhooks sees media down). */
  const incomingCall = async (): Promise<CallStart> => {
    const callSid = newCallSid();
    let parameters: Record<string, string> | undefined;
    await stack.waitFor('a <Connect><Stream> answer', async () => {
      const res = await signedPost('/webhook/incoming_call', { CallSid: callSid, From: '+972500000000', To: '+972500000001' });
      parameters = parseTwiml(res.body).find((v) => v.verb === 'Connect')?.stream?.parameters;
      return parameters?.['call_token'] !== undefined;
    });
    return { callSid, customParameters: parameters as Record<string, string> };
  };
  /** Streams as Twilio would with this start; resolves with the close code, or 0 while still open after `openMs`. */
  const streamWith = async (start: CallStart, openMs = 1500): Promise<{ code: number; call: SimulatedCall }> => {
    const call = await SimulatedCall.connect({ url: stack.wsUrl, headers: upgradeHeaders, ...start });
    await Promise.race([call.closed(), new Promise((r) => setTimeout(r, openMs))]);
    return { code: call.isOpen ? 0 : (call.closeCode ?? 1006), call };
  };
  const mediaLogs = (pred: (l: Line) => boolean) => stack.logs().filter((l) => l['service'] === 'media' && pred(l));
  const mediaUp = async () => (await httpRequest(`http://127.0.0.1:${stack.mediaPort}/healthz`).catch(() => ({ status: 0 }))).status === 200;

  t.test('1.2 a call token opens one stream: the same token, even spelled with leading zeros, is refused with 1008', async (t) => {
    const start = await incomingCall();
    const first = await streamWith(start);
    t.equal(first.code, 0, 'the token opens its stream');
    const token = start.customParameters['call_token'] as string;
    for (const [label, call_token] of [['the same token', token], ['one leading zero', `0${token}`], ['two leading zeros', `00${token}`]] as const) {
      const again = await streamWith({ ...start, customParameters: { ...start.customParameters, call_token } });
      t.equal(again.code, 1008, `${label}: refused with 1008`);
    }
    t.equal(mediaLogs((l) => l['event'] === 'WS_START' && l['callSid'] === start.callSid).length, 1, 'one stream started, ever');
    t.ok(await stack.logged((l) => l['code'] === 'CALL_TOKEN_REPLAYED' && l['callSid'] === start.callSid), 'CALL_TOKEN_REPLAYED logged');
    await first.call.close();
  });

  t.test('1.2 a used token stays used after the media worker is SIGKILLed and pm2 restarts it', async (t) => {
    const start = await incomingCall();
    const first = await streamWith(start);
    t.equal(first.code, 0, 'the token opens its stream');
    const pid = (await stack.pidOf('media')) as number;
    process.kill(pid, 'SIGKILL');
    await first.call.closed();
    await stack.waitFor('a new media worker', async () => {
      const now = await stack.pidOf('media');
      return now !== undefined && now !== pid;
    });
    await stack.waitFor('media healthy again', mediaUp);
    const newPid = await stack.pidOf('media');
    const again = await streamWith(start);
    t.equal(again.code, 1008, 'the replay after the restart is refused with 1008');
    t.ok(
      await stack.logged((l) => l['code'] === 'CALL_TOKEN_REPLAYED' && l['callSid'] === start.callSid && l['pid'] === newPid),
      'CALL_TOKEN_REPLAYED logged by the new worker',
    );
    const fresh = await streamWith(await incomingCall());
    t.equal(fresh.code, 0, 'a new call streams after the restart');
    await fresh.call.close();
  });

  t.test("1.3 a refused start naming a live call's CallSid never becomes that call's outcome: stream_ended hangs up", async (t) => {
    const a = await incomingCall();
    const live = await streamWith(a);
    t.equal(live.code, 0, 'call A is live');
    const impostor: CallStart = { callSid: a.callSid, customParameters: { call_sid: a.callSid, call_token: '1795468108.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } };
    t.equal((await streamWith(impostor)).code, 1008, 'an impostor during the call is refused');
    t.ok(live.call.isOpen, 'A goes on');
    live.call.sendDtmf('9'); // the script's goodbye: the agent says it and calls end_call
    await live.call.closed();
    t.equal(live.call.closeCode, 1000, 'A ended by its agent');
    t.ok(await stack.logged((l) => l['event'] === 'STREAM_OUTCOME' && l['callSid'] === a.callSid && l['endedBy'] === 'agent-end', 5000), "A's outcome: agent-end");
    // between A's end and Twilio's request to the <Connect action>: the impostor again
    t.equal((await streamWith(impostor)).code, 1008, 'an impostor after the call is refused');
    await stack.waitFor("the late impostor's socket closed in media", () => mediaLogs((l) => l['event'] === 'WS_STOP' && l['callSid'] === a.callSid).length === 3);
    // a notice would arrive within milliseconds of that close; give it a generous bound
    const overwritten = await stack.logged((l) => l['event'] === 'STREAM_OUTCOME' && l['callSid'] === a.callSid && l['endedBy'] !== 'agent-end', 1500);
    t.notOk(overwritten, 'no other outcome was reported for A');
    const ended = await signedPost('/webhook/stream_ended', { CallSid: a.callSid });
    t.equal(ended.status, 200);
    t.same(parseTwiml(ended.body).map((v) => v.verb), ['Hangup'], 'stream_ended answers <Hangup/>, not RECORD');
  });

  t.test('1.4 hundreds of signed upgrades that send nothing do not lock out a real call', async (t) => {
    const idle: WebSocket[] = [];
    const codes: number[] = [];
    t.teardown(() => idle.forEach((ws) => ws.terminate()));
    for (let i = 0; i < 300; i++) {
      const ws = new WebSocket(stack.wsUrl, { headers: upgradeHeaders });
      ws.on('close', (code) => codes.push(code));
      const status = await new Promise<number>((resolve) => {
        ws.once('open', () => resolve(101));
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => resolve(0));
      });
      if (status !== 101) t.fail(`idle upgrade ${i} got ${status}`);
      idle.push(ws);
    }
    t.pass('300 idle upgrades got 101');
    const call = await streamWith(await incomingCall());
    t.equal(call.code, 0, 'a real call gets in');
    await stack.waitFor('its greeting', () => call.call.result().received.length > 0, 5000);
    t.pass('and hears its greeting');
    await stack.waitFor('the oldest idle sockets closed', () => codes.length >= 200, 5000);
    t.ok(codes.every((c) => c === 1008), 'evicted idle sockets were closed with 1008');
    t.ok(mediaLogs((l) => l['code'] === 'MEDIA_ERR_UNSTARTED_EVICTED' && l['level'] === 'warn').length >= 200, 'each eviction logged at warn');
    await call.call.close();
  });

  t.test('1.11 a 20 KB DTMF "digit" closes the stream with 1007 TMS_ERR_BAD_FIELD and never reaches the agent', async (t) => {
    const start = await incomingCall();
    const { code, call } = await streamWith(start, 300);
    t.equal(code, 0);
    call.sendDtmf('7'.repeat(20 * 1024));
    await within('the stream to close', call.closed(), 3000).catch(() => undefined);
    t.equal(call.closeCode, 1007, 'closed with 1007 (invalid payload data)');
    t.equal(call.closeReason, 'TMS_ERR_BAD_FIELD');
    t.ok(await stack.logged((l) => l['event'] === 'WS_REJECT' && l['code'] === 'TMS_ERR_BAD_FIELD' && l['callSid'] === start.callSid), 'logged with its code');
    t.same(mediaLogs((l) => l['callSid'] === start.callSid && (l['event'] === 'DTMF' || l['event'] === 'TURN')), [], 'no DTMF line and no turn for it');
    t.notOk(stack.output().includes('7'.repeat(100)), 'the "digit" appears nowhere in the logs');
  });
});
