// In-process: what `start` must prove — a call token opens one stream, ever; a refused start reports no outcome.
import t from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import { twilioMessage } from '@tva/twilio-media-stream';
import { FileUsedTokenStore } from '../src/used-token-file';
import { MemoryUsedTokenStore } from '../src/used-token-store';
import { startMediaServer, type MediaServerHarness } from './helpers/start-media-server';
import { recordingAgents } from './helpers/recording-agent';
import { closeCode, openSocket } from './helpers/open-socket';

const AUTH = 'media-test-auth-token';

/** Connects as Twilio would (signed upgrade, connected + start); resolves once the server closed it or `openMs` passed. */
async function tryStream(media: MediaServerHarness, start: { callSid: string; customParameters: Record<string, string> }, openMs = 300) {
  const call = await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), ...start });
  await Promise.race([call.closed(), new Promise((r) => setTimeout(r, openMs))]);
  return call;
}

const rejected = (media: MediaServerHarness, code: string) => media.logged((l) => l['event'] === 'WS_REJECT' && l['code'] === code);

t.test('a call token opens one stream: the replay, and the replay spelled with leading zeros, are refused with 1008', async (t) => {
  const media = await startMediaServer({ authToken: AUTH });
  t.teardown(() => media.close());
  const start = media.callParams();
  const first = await tryStream(media, start);
  t.ok(first.isOpen, 'the first stream with the token is live');
  const token = start.customParameters['call_token'] as string;
  for (const [label, call_token] of [['same token', token], ['one leading zero', `0${token}`], ['two leading zeros', `00${token}`]] as const) {
    const again = await tryStream(media, { callSid: start.callSid, customParameters: { ...start.customParameters, call_token } }, 2000);
    t.equal(again.closeCode, 1008, `${label}: closed with 1008`);
  }
  t.ok(await rejected(media, 'CALL_TOKEN_REPLAYED'), 'CALL_TOKEN_REPLAYED logged');
  t.ok(await rejected(media, 'CALL_TOKEN_MALFORMED'), 'the zero-padded spelling is CALL_TOKEN_MALFORMED');
  t.equal(media.logs().filter((l) => l['event'] === 'WS_START').length, 1, 'exactly one stream started');
  await first.close();
});

t.test('a used token stays used across a restart (a new server on the same DATA_DIR file)', async (t) => {
  const dir = t.testdir();
  const before = await startMediaServer({ authToken: AUTH, usedTokens: FileUsedTokenStore.inDir(dir) });
  const start = before.callParams();
  const first = await tryStream(before, start);
  t.ok(first.isOpen, 'first stream live');
  await before.close(); // as good as a crash for the file: claims are written before the stream goes on
  const after = await startMediaServer({ authToken: AUTH, usedTokens: FileUsedTokenStore.inDir(dir) });
  t.teardown(() => after.close());
  const replay = await tryStream(after, start, 2000);
  t.equal(replay.closeCode, 1008);
  t.ok(await rejected(after, 'CALL_TOKEN_REPLAYED'), 'CALL_TOKEN_REPLAYED after the restart');
  const fresh = await tryStream(after, after.callParams());
  t.ok(fresh.isOpen, 'a fresh token still works');
  await fresh.close();
});

t.test("a refused start naming a live call's CallSid reports no outcome; that call's own end is its outcome", async (t) => {
  const agents = recordingAgents();
  const media = await startMediaServer({ authToken: AUTH, createAgent: agents.create });
  t.teardown(() => media.close());
  const start = media.callParams();
  const live = await tryStream(media, start);
  t.ok(live.isOpen, 'call A is live');
  const forged = '1795468108.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const impostors: Array<{ callSid: string; customParameters: Record<string, string> }> = [
    { callSid: start.callSid, customParameters: { call_sid: start.callSid, call_token: forged } },
    { callSid: start.callSid, customParameters: { call_sid: start.callSid } },
    { callSid: start.callSid, customParameters: { ...start.customParameters, call_sid: 'CAother' } },
  ];
  for (const impostor of impostors) t.equal((await tryStream(media, impostor, 2000)).closeCode, 1008, 'impostor refused with 1008');
  t.ok(live.isOpen, 'call A is untouched');
  t.same(media.outcomes, [], 'no outcome reported while A is live');
  live.sendDtmf('9'); // the agent hangs up
  await live.closed();
  t.equal(live.closeCode, 1000);
  // and after A ended, before Twilio asks stream_ended: a late impostor must not overwrite A's outcome either
  t.equal((await tryStream(media, impostors[0] as (typeof impostors)[number], 2000)).closeCode, 1008);
  await media.waitFor('WS_STOP of every socket', () => media.logs().filter((l) => l['event'] === 'WS_STOP').length === 5);
  t.same(
    media.outcomes.map((o) => [o.callSid, o.endedBy]),
    [[start.callSid, 'agent-end']],
    "exactly one outcome: A's own agent-end",
  );
  for (const code of ['CALL_TOKEN_BAD_SIGNATURE', 'CALL_TOKEN_MISSING', 'CALL_TOKEN_WRONG_CALL']) t.ok(await rejected(media, code), `${code} logged`);
  t.same(agents.made.length, 1, 'no agent ever ran for an impostor');
});

t.test('with signatures off, a second stream naming a live call is refused and reports nothing', async (t) => {
  const media = await startMediaServer();
  t.teardown(() => media.close());
  const start = media.callParams();
  const live = await tryStream(media, start);
  const second = await tryStream(media, start, 2000);
  t.equal(second.closeCode, 1008);
  t.ok(await rejected(media, 'MEDIA_ERR_CALL_ALREADY_LIVE'));
  t.ok(live.isOpen);
  t.same(media.outcomes, []);
  await live.stop();
  await media.waitFor('the outcome of the live call', () => media.outcomes.length === 1);
  t.match(media.outcomes, [{ callSid: start.callSid, endedBy: 'peer' }]);
});

t.test("a stream refused only for capacity is still its call's own: its outcome is reported (RECORD at once)", async (t) => {
  const media = await startMediaServer({ authToken: AUTH, maxCalls: 1 });
  t.teardown(() => media.close());
  // both upgrades get in (no call has started yet); then both start: one is admitted, the other refused for capacity
  const [a, b] = await Promise.all([openSocket(media), openSocket(media)]);
  const [pa, pb] = [media.callParams(), media.callParams()];
  const closed = closeCode(b);
  a.send(twilioMessage.start({ streamSid: 'MZa', accountSid: 'AC', ...pa }));
  await media.logged((l) => l['event'] === 'WS_START');
  b.send(twilioMessage.start({ streamSid: 'MZb', accountSid: 'AC', ...pb }));
  t.equal(await closed, 1013, 'the second start is refused with 1013 (try again later)');
  t.ok(await media.logged((l) => l['code'] === 'MEDIA_ERR_TOO_MANY_CALLS'));
  await media.waitFor('B outcome', () => media.outcomes.length === 1);
  t.match(media.outcomes, [{ callSid: pb.callSid, endedBy: 'start-refused', code: 'MEDIA_ERR_TOO_MANY_CALLS', closeCode: 1013 }]);
  a.close();
});

t.test('frames sent right behind `start` wait for the token check and then reach the agent in order', async (t) => {
  const agents = recordingAgents();
  // a store that answers slowly, as a networked one (issue 10) may
  const slow = new (class extends MemoryUsedTokenStore {
    override claim(token: string, expiresAtMs: number): Promise<boolean> {
      // why: a slow peer on purpose; 150 ms outlasts the 100 ms of audio sent below, so frames queue behind the check.
      return new Promise((r) => setTimeout(r, 150)).then(() => super.claim(token, expiresAtMs));
    }
  })();
  const media = await startMediaServer({ authToken: AUTH, createAgent: agents.create, usedTokens: slow });
  t.teardown(() => media.close());
  const call = await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), ...media.callParams() });
  call.sendDtmf('1');
  call.sendDtmf('#');
  await call.sendSilence(100);
  t.equal(agents.made.length, 0, 'no agent yet: the token is still being checked');
  await media.waitFor('the digits', () => (agents.made[0]?.digits.length ?? 0) === 2);
  t.same(agents.made[0]?.digits, ['1', '#'], 'the key presses arrived, in order');
  t.ok((agents.made[0]?.mediaFrames ?? 0) >= 4, 'and the audio sent meanwhile');
  await call.close();
});

t.test("WS_START logs the client address the router forwards (the first X-Forwarded-For value), for the log only", async (t) => {
  const media = await startMediaServer();
  t.teardown(() => media.close());
  const call = await SimulatedCall.connect({ url: media.url, headers: { 'x-forwarded-for': '203.0.113.9' }, ...media.callParams() });
  t.ok(await media.logged((l) => l['event'] === 'WS_START' && l['remote'] === '203.0.113.9'));
  await call.close();
});
