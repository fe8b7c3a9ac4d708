// The RecordsStore conformance suite: every behaviour the console and the feed rely on, run as-is against each driver.
import type { Test } from 'tap';
import type { RecordsStore, RecordsStoreConfig } from '../../src/index';

/** Opens a store on a fresh, empty database each time it is called with a new `name`; the same name reopens the same database. */
export type OpenFresh = (name: string, config?: Partial<RecordsStoreConfig>) => Promise<RecordsStore>;

const T0 = Date.UTC(2031, 0, 15, 10, 0, 0); // a fixed hour boundary
const MIN = 60_000;
const HOUR = 3_600_000;

const turn = (n: number, at: number, extra: Partial<Parameters<RecordsStore['addTurn']>[1]> = {}) => ({
  turn: n,
  mode: 'stream' as const,
  at,
  callerText: `caller ${n}`,
  agentText: `agent ${n}`,
  interrupted: false,
  spans: { 'endOfSpeech→sttFinal': 100, 'sttFinal→llmFirstToken': 200, 'llmFirstToken→ttsFirstAudio': 150, 'ttsFirstAudio→mediaTx': 5, 'endOfSpeech→firstAudio': 455, TTS_LEN_ms: 1800 },
  ...extra,
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

export function recordsConformance(t: Test, open: OpenFresh): void {
  t.test('a call started by incoming_call and then by the media worker is one merged record', async (t) => {
    const s = await open('merge');
    t.teardown(() => s.close());
    await s.startCall({ callSid: 'CA1', direction: 'phone', from: '+972501234567', to: '+97231234567', startedAt: T0 + 500 });
    await s.startCall({ callSid: 'CA1', startedAt: T0, mode: 'stream', providers: { stt: 'azure', llm: 'openai:gpt-4o-mini', tts: 'azure' } });
    const c = await s.getCall('CA1');
    t.ok(c);
    t.equal(c?.direction, 'phone');
    t.equal(c?.from, '+********4567', 'masked by default: last 4 digits kept');
    t.equal(c?.to, '+97231234567', 'the called (our own) number is not personal data');
    t.equal(c?.startedAt, T0, 'the earliest start wins');
    t.same(c?.providers, { stt: 'azure', llm: 'openai:gpt-4o-mini', tts: 'azure' });
    t.same(c?.modes, [{ mode: 'stream', at: T0 }]);
    t.equal(c?.endedAt, null);
    t.equal(c?.endedBy, null);
    t.equal(await s.getCall('CA-none'), undefined);
  });

  t.test('a browser call stays a browser call whoever reports later', async (t) => {
    const s = await open('browser');
    t.teardown(() => s.close());
    await s.startCall({ callSid: 'CAb', direction: 'browser', startedAt: T0 });
    await s.startCall({ callSid: 'CAb', direction: 'phone', startedAt: T0 });
    t.equal((await s.getCall('CAb'))?.direction, 'browser');
    t.equal((await s.getCall('CAb'))?.from, null);
  });

  t.test('turns keep what was heard, the interrupted flag and every span; a resent turn replaces, never duplicates', async (t) => {
    const s = await open('turns');
    t.teardown(() => s.close());
    await s.startCall({ callSid: 'CA2', startedAt: T0, mode: 'stream' });
    await s.addTurn('CA2', turn(1, T0 + 1000));
    await s.addTurn('CA2', turn(2, T0 + 5000, { agentText: 'בטח, אני', interrupted: true, callerText: 'שלום, I need help' }));
    await s.addTurn('CA2', turn(2, T0 + 5000, { agentText: 'בטח, אני', interrupted: true, callerText: 'שלום, I need help' }));
    await s.addTurn('CA2', { turn: 1, mode: 'record', at: T0 + 9000, callerText: 'x', agentText: 'y', interrupted: false, failed: true, spans: { fetchMs: 300, sttMs: 800, llmMs: 900 } });
    const c = await s.getCall('CA2');
    t.equal(c?.turnCount, 3);
    t.equal(c?.turns.length, 3);
    t.same(
      c?.turns.map((x) => [x.mode, x.turn]),
      [['stream', 1], ['stream', 2], ['record', 1]],
      'in order of time',
    );
    const second = c?.turns[1];
    t.equal(second?.agentText, 'בטח, אני', 'Hebrew kept byte for byte');
    t.equal(second?.callerText, 'שלום, I need help', 'mixed Hebrew/English kept');
    t.equal(second?.interrupted, true);
    t.same(second?.spans, turn(2, 0).spans, 'every TURN span');
    t.equal(c?.turns[2]?.failed, true);
    t.same(c?.turns[2]?.spans, { fetchMs: 300, sttMs: 800, llmMs: 900 });
  });

  t.test('a turn or an event for a call never started still lands (its row is created)', async (t) => {
    const s = await open('stub');
    t.teardown(() => s.close());
    await s.addTurn('CA3', turn(1, T0 + 1000));
    await s.addEvent('CA3', { at: T0 + 1200, kind: 'dtmf', detail: '5' });
    const c = await s.getCall('CA3');
    t.equal(c?.turnCount, 1);
    t.equal(c?.direction, 'phone');
    t.equal(c?.startedAt, T0 + 1000);
    await s.startCall({ callSid: 'CA3', from: '+15551230000', startedAt: T0 });
    t.equal((await s.getCall('CA3'))?.startedAt, T0, 'the real start replaces the guess');
  });

  t.test('events and the mode timeline: barge-in, dtmf, provider errors with codes, fallback, reconnect', async (t) => {
    const s = await open('events');
    t.teardown(() => s.close());
    await s.startCall({ callSid: 'CA4', startedAt: T0, mode: 'stream' });
    await s.addMode('CA4', { mode: 'stream', at: T0 + 10 });
    await s.addEvent('CA4', { at: T0 + 1000, kind: 'barge-in' });
    await s.addEvent('CA4', { at: T0 + 2000, kind: 'dtmf', detail: '7' });
    await s.addEvent('CA4', { at: T0 + 3000, kind: 'provider-error', code: 'PROVIDER_TIMEOUT', detail: 'llm: no first token in 4000 ms' });
    await s.addEvent('CA4', { at: T0 + 4000, kind: 'fallback', code: 'MEDIA_ERR_X' });
    await s.addMode('CA4', { mode: 'record', at: T0 + 4100 });
    await s.addEvent('CA4', { at: T0 + 4200, kind: 'mode', detail: 'record' });
    await s.addEvent('CA4', { at: T0 + 5000, kind: 'reconnect' });
    const c = await s.getCall('CA4');
    t.same(c?.modes, [
      { mode: 'stream', at: T0 },
      { mode: 'record', at: T0 + 4100 },
    ], 'a repeated mode is not a change');
    t.same(
      c?.events.map((e) => e.kind),
      ['mode', 'barge-in', 'dtmf', 'provider-error', 'fallback', 'mode', 'reconnect'],
    );
    t.same(c?.events[3], { at: T0 + 3000, kind: 'provider-error', code: 'PROVIDER_TIMEOUT', detail: 'llm: no first token in 4000 ms' });
    t.equal(c?.errorCount, 1);
    t.equal(c?.fallback, true);
    t.equal(await codeOf(s.addEvent('CA4', { at: T0, kind: 'nonsense' as 'dtmf' })), 'RECORDS_ERR_WRITE');
  });

  t.test('how a call ended: a later report wins, but unknown never replaces a known ending', async (t) => {
    const s = await open('end');
    t.teardown(() => s.close());
    await s.startCall({ callSid: 'CA5', startedAt: T0 });
    await s.endCall('CA5', { endedBy: 'fallback', at: T0 + 1000, code: 'WS_ERR_PONG_TIMEOUT' });
    await s.endCall('CA5', { endedBy: 'caller-hangup', at: T0 + 9000 });
    await s.endCall('CA5', { endedBy: 'unknown', at: T0 + 99000 });
    const c = await s.getCall('CA5');
    t.equal(c?.endedBy, 'caller-hangup');
    t.equal(c?.endedAt, T0 + 9000);
    t.equal(c?.fallback, true, 'a fallback ending stays visible after the RECORD continuation ends');
    await s.endCall('CA6', { endedBy: 'unknown', at: T0 });
    await s.endCall('CA6', { endedBy: 'error', at: T0 + 1, code: 'MEDIA_ERR_SESSION' });
    const e = await s.getCall('CA6');
    t.equal(e?.endedBy, 'error');
    t.equal(e?.endCode, 'MEDIA_ERR_SESSION');
    t.equal(e?.errorCount, 1, 'an error ending counts as an error');
  });

  t.test('listCalls: filters by date range, number suffix, ending, fallback, errors, direction', async (t) => {
    const s = await open('list');
    t.teardown(() => s.close());
    await s.startCall({ callSid: 'CAa', from: '+972501110001', startedAt: T0 });
    await s.endCall('CAa', { endedBy: 'agent-end', at: T0 + 1 });
    await s.startCall({ callSid: 'CAb', from: '+972502220002', startedAt: T0 + HOUR });
    await s.addEvent('CAb', { at: T0 + HOUR + 1, kind: 'fallback' });
    await s.endCall('CAb', { endedBy: 'caller-hangup', at: T0 + HOUR + 2 });
    await s.startCall({ callSid: 'CAc', direction: 'browser', startedAt: T0 + 2 * HOUR });
    await s.addEvent('CAc', { at: T0 + 2 * HOUR + 1, kind: 'provider-error', code: 'PROVIDER_HTTP_401' });
    const sids = async (q: Parameters<RecordsStore['listCalls']>[0]) => (await s.listCalls(q)).calls.map((c) => c.callSid);
    t.same(await sids({}), ['CAc', 'CAb', 'CAa'], 'newest first');
    t.same(await sids({ from: T0 + HOUR }), ['CAc', 'CAb']);
    t.same(await sids({ from: T0, to: T0 + HOUR }), ['CAa'], 'to is exclusive');
    t.same(await sids({ numberSuffix: '0002' }), ['CAb']);
    t.same(await sids({ numberSuffix: '-0001' }), ['CAa'], 'non-digits ignored');
    t.same(await sids({ endedBy: 'agent-end' }), ['CAa']);
    t.same(await sids({ fallback: true }), ['CAb']);
    t.same(await sids({ fallback: false }), ['CAc', 'CAa']);
    t.same(await sids({ errors: true }), ['CAc']);
    t.same(await sids({ errors: false }), ['CAb', 'CAa']);
    t.same(await sids({ direction: 'browser' }), ['CAc']);
    const page = await s.listCalls({ fallback: true });
    t.same(page.calls[0]?.modes, []);
    t.equal(page.calls[0]?.endedBy, 'caller-hangup');
    t.equal(await codeOf(s.listCalls({ endedBy: 'bogus' as 'error' })), 'RECORDS_ERR_BAD_QUERY');
    t.equal(await codeOf(s.listCalls({ direction: 'pager' as 'phone' })), 'RECORDS_ERR_BAD_QUERY');
  });

  t.test('listCalls pages with a cursor: every call exactly once, ties on the start time included', async (t) => {
    const s = await open('pages');
    t.teardown(() => s.close());
    const all: string[] = [];
    for (let i = 0; i < 23; i++) {
      const sid = `CA${String(i).padStart(3, '0')}`;
      all.push(sid);
      await s.startCall({ callSid: sid, startedAt: T0 + Math.floor(i / 3) * MIN, mode: 'stream' }); // three calls per start time
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await s.listCalls({ limit: 5, ...(cursor ? { cursor } : {}) });
      seen.push(...page.calls.map((c) => c.callSid));
      t.ok(page.calls.every((c) => c.modes.length === 1), 'each listed call carries its mode timeline');
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    t.equal(pages, 5);
    t.same([...seen].sort(), all, 'no call missed');
    t.equal(new Set(seen).size, 23, 'no call twice');
    t.equal(await codeOf(s.listCalls({ cursor: 'not-a-cursor' })), 'RECORDS_ERR_BAD_QUERY');
    t.equal((await s.listCalls({ limit: 100000 })).calls.length, 23, 'the page size is capped, not refused');
  });

  t.test('overview: calls, turns, latency p50/p95, fallbacks and provider errors per hour, zeros where nothing happened', async (t) => {
    const s = await open('overview');
    t.teardown(() => s.close());
    for (let i = 0; i < 20; i++) {
      const sid = `CAo${i}`;
      await s.startCall({ callSid: sid, startedAt: T0 + i * MIN });
      const spans = { ...turn(1, 0).spans, 'endOfSpeech→firstAudio': (i + 1) * 100 };
      await s.addTurn(sid, turn(1, T0 + i * MIN + 1000, { spans }));
    }
    await s.startCall({ callSid: 'CAlate', startedAt: T0 + 2 * HOUR + 5 });
    await s.addTurn('CAlate', { turn: 1, mode: 'record', at: T0 + 2 * HOUR + 10, callerText: null, agentText: null, interrupted: false, spans: { llmMs: 50 } });
    await s.addEvent('CAlate', { at: T0 + 2 * HOUR + 20, kind: 'fallback' });
    await s.addEvent('CAlate', { at: T0 + 2 * HOUR + 30, kind: 'provider-error', code: 'PROVIDER_X' });
    await s.addEvent('CAlate', { at: T0 + 2 * HOUR + 40, kind: 'provider-error', code: 'PROVIDER_X' });
    await s.addEvent('CAlate', { at: T0 + 2 * HOUR + 50, kind: 'error', code: 'MEDIA_ERR_TURN' });
    const o = await s.overview(T0, T0 + 3 * HOUR);
    t.equal(o.length, 3);
    t.same(o.map((b) => b.at), [T0, T0 + HOUR, T0 + 2 * HOUR]);
    t.same(o[0], { at: T0, calls: 20, turns: 20, latencyP50: 1000, latencyP95: 1900, fallbacks: 0, providerErrors: 0, errors: 0 });
    t.same(o[1], { at: T0 + HOUR, calls: 0, turns: 0, latencyP50: null, latencyP95: null, fallbacks: 0, providerErrors: 0, errors: 0 });
    t.same(o[2], { at: T0 + 2 * HOUR, calls: 1, turns: 1, latencyP50: null, latencyP95: null, fallbacks: 1, providerErrors: 2, errors: 1 }, 'RECORD turns count, but not in the streamed latency');
    const byTen = await s.overview(T0, T0 + HOUR, 10 * MIN);
    t.equal(byTen.length, 6);
    t.same(byTen.map((b) => b.calls), [10, 10, 0, 0, 0, 0]);
    t.equal(await codeOf(s.overview(T0, T0 - 1)), 'RECORDS_ERR_BAD_QUERY');
    t.equal(await codeOf(s.overview(T0, T0 + HOUR, 5)), 'RECORDS_ERR_BAD_QUERY');
    t.equal(await codeOf(s.overview(0, T0, MIN)), 'RECORDS_ERR_BAD_QUERY', 'too many buckets');
  });

  t.test('erase deletes one call with its turns and events, and nothing else', async (t) => {
    const s = await open('erase');
    t.teardown(() => s.close());
    for (const sid of ['CAx', 'CAy']) {
      await s.startCall({ callSid: sid, startedAt: T0, mode: 'stream' });
      await s.addTurn(sid, turn(1, T0 + 1));
      await s.addEvent(sid, { at: T0 + 2, kind: 'barge-in' });
    }
    t.equal(await s.erase('CAx'), true);
    t.equal(await s.erase('CAx'), false, 'a second erase finds nothing');
    t.equal(await s.getCall('CAx'), undefined);
    t.equal((await s.getCall('CAy'))?.turns.length, 1);
    t.equal((await s.getCall('CAy'))?.events.length, 2);
    t.equal((await s.overview(T0, T0 + HOUR))[0]?.turns, 1, "the erased call's turns are gone from the charts too");
  });

  t.test('purge deletes calls started before the cutoff, with their turns and events', async (t) => {
    const s = await open('purge');
    t.teardown(() => s.close());
    const day = 86_400_000;
    for (const [sid, at] of [['CAold1', T0 - 40 * day], ['CAold2', T0 - 31 * day], ['CAnew', T0 - 29 * day]] as const) {
      await s.startCall({ callSid: sid, startedAt: at, mode: 'stream' });
      await s.addTurn(sid, turn(1, at + 1000));
      await s.addEvent(sid, { at: at + 2000, kind: 'dtmf', detail: '1' });
    }
    t.equal(await s.purge(T0 - 30 * day), 2);
    t.same((await s.listCalls()).calls.map((c) => c.callSid), ['CAnew']);
    t.equal(await s.getCall('CAold1'), undefined);
    const o = await s.overview(T0 - 41 * day, T0, 86_400_000);
    t.equal(o.reduce((n, b) => n + b.turns, 0), 1, 'purged turns are gone');
    t.equal(o.reduce((n, b) => n + b.calls, 0), 1);
    t.equal(await s.purge(T0 - 30 * day), 0, 'nothing left to purge');
  });

  t.test('RECORDS_TRANSCRIPTS=false keeps timings and events but no words', async (t) => {
    const s = await open('notext', { recordsTranscripts: false });
    t.teardown(() => s.close());
    await s.addTurn('CA7', turn(1, T0, { callerText: 'my card is 4111', agentText: 'ok' }));
    const c = await s.getCall('CA7');
    t.equal(c?.turns[0]?.callerText, null);
    t.equal(c?.turns[0]?.agentText, null);
    t.equal(c?.turns[0]?.spans['endOfSpeech→firstAudio'], 455);
  });

  t.test('RECORDS_MASK_NUMBERS=false keeps full numbers', async (t) => {
    const s = await open('nomask', { recordsMaskNumbers: false });
    t.teardown(() => s.close());
    await s.startCall({ callSid: 'CA8', from: '+972501234567', startedAt: T0 });
    t.equal((await s.getCall('CA8'))?.from, '+972501234567');
    t.same((await s.listCalls({ numberSuffix: '01234567' })).calls.map((c) => c.callSid), ['CA8']);
  });

  t.test('secrets never enter the database, wherever a writer puts them', async (t) => {
    const secret = 'sk-test-SECRET-0123456789abcdef';
    const s = await open('secrets', { openaiApiKey: secret, twilioAuthToken: 'twilio-auth-token-xyz' });
    t.teardown(() => s.close());
    await s.startCall({ callSid: 'CA9', startedAt: T0, providers: { llm: `openai key=${secret}` } });
    await s.addTurn('CA9', turn(1, T0, { callerText: `my key is ${secret}`, agentText: 'twilio-auth-token-xyz' }));
    await s.addEvent('CA9', { at: T0, kind: 'provider-error', code: 'PROVIDER_HTTP_401', detail: `401 for Bearer ${secret}` });
    await s.endCall('CA9', { endedBy: 'error', code: secret });
    const dump = JSON.stringify(await s.getCall('CA9'));
    t.notMatch(dump, secret);
    t.notMatch(dump, 'twilio-auth-token-xyz');
    t.match(dump, '[redacted]');
  });

  t.test('concurrent writes from many calls all land', async (t) => {
    const s = await open('concurrent');
    t.teardown(() => s.close());
    const writes: Promise<void>[] = [];
    for (let c = 0; c < 20; c++) {
      const sid = `CAc${c}`;
      writes.push(s.startCall({ callSid: sid, startedAt: T0 + c, mode: 'stream' }));
      for (let n = 1; n <= 5; n++) writes.push(s.addTurn(sid, turn(n, T0 + c + n)), s.addEvent(sid, { at: T0 + c + n, kind: 'barge-in' }));
    }
    await Promise.all(writes);
    const page = await s.listCalls({ limit: 200 });
    t.equal(page.calls.length, 20);
    t.ok(page.calls.every((c) => c.turnCount === 5), 'five turns each');
    t.ok(page.calls.every((c) => c.modes.length === 1), 'one mode each, even with events racing the start');
  });

  t.test('records survive closing and reopening the store (a restart); migrating again changes nothing', async (t) => {
    const s = await open('reopen');
    await s.startCall({ callSid: 'CAr', startedAt: T0, mode: 'stream' });
    await s.addTurn('CAr', turn(1, T0 + 1));
    await s.close();
    const again = await open('reopen');
    t.teardown(() => again.close());
    await again.migrate();
    t.equal((await again.getCall('CAr'))?.turns.length, 1);
  });
}
