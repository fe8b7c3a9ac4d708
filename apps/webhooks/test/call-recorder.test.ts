// The live-calls registry and the records writer on their own: the feed's notices, webhooks' own observations, the signed internal route.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { loadConfig } from '@tva/config';
import { maskNumber, openRecordsStore, type RecordsStore } from '@tva/records';
import { INTERNAL_PATHS, INTERNAL_SIGNATURE_HEADER, internalSignature, parseCallFeedBatch, type CallFeedBatch, type CallNotice } from '@tva/security';
import { CallOutcomes } from '../src/call-outcomes';
import { CallRecorder, callEndingOf } from '../src/call-recorder';
import { buildInternalApp } from '../src/internal-app';
import { LiveCalls, type LiveCallChange } from '../src/live-calls';
import { MemoryConversationStore } from '../src/record';
import { startRetentionPurge } from '../src/records-retention';
import { startPostgres } from '../../../test-support/postgres';
import { captureLogger } from '../../../test-support/capture-logger';

type Line = Record<string, unknown>;

const logger = () => captureLogger('webhooks');

async function tempStore(t: Test, opts: { recordsTranscripts?: boolean; recordsMaskNumbers?: boolean } = {}): Promise<RecordsStore> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tva-recorder-'));
  const store = await openRecordsStore({ dataDir, ...opts });
  t.teardown(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return store;
}

const CALL = 'CA00000000000000000000000000000001';
const at = 1_700_000_000_000;
const start: CallNotice = { kind: 'call-start', callSid: CALL, streamSid: 'MZ1', at, direction: 'browser', providers: { stt: 'offline-stt', llm: 'scripted', tts: 'espeak' } };
const turn = (n: number, extra: Partial<Extract<CallNotice, { kind: 'turn' }>> = {}): CallNotice => ({
  kind: 'turn', callSid: CALL, at: at + n * 1000, turn: n, callerText: `שאלה ${n}`, agentText: `answer ${n}`, interrupted: false,
  spans: { 'endOfSpeech→sttFinal': 100, 'endOfSpeech→firstAudio': 700 + n }, ...extra,
});

t.test('live calls: a call appears, changes state, grows its transcript and ends; subscribers hear each change', async (t) => {
  const live = new LiveCalls();
  const seen: LiveCallChange[] = [];
  const off = live.subscribe((c) => seen.push(c));
  live.start(CALL, { direction: 'phone', from: '+*****4567' });
  live.setState(CALL, 'thinking');
  live.setState(CALL, 'thinking');
  live.addTurn(CALL, { turn: 1, at, callerText: 'שלום', agentText: 'hello', interrupted: true, latencyMs: 812 });
  t.same(live.list().map((c) => [c.callSid, c.state, c.lastTurnMs, c.turns]), [[CALL, 'thinking', 812, 1]]);
  t.same(live.get(CALL)?.transcript.map((l) => [l.who, l.text, l.interrupted ?? false]), [['caller', 'שלום', false], ['agent', 'hello', true]]);
  t.equal(seen.filter((c) => c.type === 'call').length, 3, 'start, one state change (a repeat is not news), the turn');
  t.equal(seen.filter((c) => c.type === 'line').length, 2);
  live.addTurn(CALL, { turn: 2, at, callerText: 'ועוד', agentText: 'a long reply', interrupted: false });
  live.addTurn(CALL, { turn: 2, at, callerText: 'ועוד', agentText: 'a lo', interrupted: true });
  t.same(live.get(CALL)?.transcript.map((l) => `${l.turn}:${l.who}:${l.text}`), ['1:caller:שלום', '1:agent:hello', '2:caller:ועוד', '2:agent:a lo'], 'a re-reported turn replaces its lines');
  t.equal(live.get(CALL)?.turns, 2);
  t.match(seen.at(-2), { type: 'turn-replaced', turn: 2, lines: [{ who: 'caller' }, { who: 'agent', interrupted: true }] });
  live.end(CALL);
  t.equal(live.size, 0);
  t.equal(seen.at(-1)?.type, 'ended');
  off();
  live.start('CA2', {});
  t.equal(seen.length, 11, 'an unsubscribed listener hears nothing more');
});

t.test('live calls: a throwing listener is dropped, others still hear; idle calls are swept', async (t) => {
  let now = 0;
  const live = new LiveCalls({ maxIdleMs: 1000, now: () => now });
  let heard = 0;
  live.subscribe(() => {
    throw new Error('broken SSE stream');
  });
  live.subscribe(() => void (heard += 1));
  live.start('CA1', {});
  live.start('CA1', {});
  t.equal(heard, 2);
  now = 500;
  live.start('CA2', {});
  now = 1200;
  t.equal(live.sweep(), 1, 'only the call untouched for over a second');
  t.same(live.list().map((c) => c.callSid), ['CA2']);
});

/** The same writer scenario against each driver: SQLite in a temp dir, and a real throw-away Postgres. */
const drivers: Array<[string, (t: Test) => Promise<RecordsStore>]> = [
  ['sqlite', (t) => tempStore(t)],
  [
    'postgres',
    async (t) => {
      const pg = await startPostgres();
      const store = await openRecordsStore({ dataDir: os.tmpdir(), databaseUrl: await pg.createDatabase('recorder') });
      t.teardown(async () => {
        await store.close();
        await pg.stop();
      });
      return store;
    },
  ],
];

for (const [driver, open] of drivers) t.test(`the recorder writes the feed (${driver}): start, turns, events, end; live calls follow`, async (t) => {
  const store = await open(t);
  t.equal(store.driver, driver);
  const live = new LiveCalls();
  const { log } = logger();
  const rec = new CallRecorder({ config: { recordsTranscripts: true, recordsMaskNumbers: true, callMode: 'AUTO' }, logger: log, store, live });
  rec.incomingCall(CALL, '+972501234567', '+97231234567', 'stream');
  t.equal(live.get(CALL)?.from, maskNumber('+972501234567'), 'the live page shows the masked number');
  await rec.feed({ dropped: 0, notices: [start, { kind: 'state', callSid: CALL, at, state: 'speaking' }, turn(1), { kind: 'event', callSid: CALL, at, event: 'barge-in', detail: 'turn 1' }, turn(2, { interrupted: true, agentText: 'ans' }), turn(2, { interrupted: true, agentText: 'ans' })] });
  t.equal(live.get(CALL)?.direction, 'browser');
  t.equal(live.get(CALL)?.state, 'speaking');
  t.equal(live.get(CALL)?.lastTurnMs, 702);
  await rec.feed({ dropped: 0, notices: [{ kind: 'call-end', callSid: CALL, at: at + 5000, endedBy: 'agent-end' }] });
  t.equal(live.get(CALL), undefined, 'ended by the agent: off the live page');
  await rec.drain(1000);
  const c = await store.getCall(CALL);
  t.equal(c?.direction, 'browser');
  t.equal(c?.endedBy, 'agent-end');
  t.same(c?.providers, { stt: 'offline-stt', llm: 'scripted', tts: 'espeak' });
  t.same(c?.turns.map((x) => [x.turn, x.callerText, x.agentText, x.interrupted]), [[1, 'שאלה 1', 'answer 1', false], [2, 'שאלה 2', 'ans', true]], 'a re-sent turn is not doubled');
  t.same(c?.events.filter((e) => e.kind !== 'mode').map((e) => e.kind), ['barge-in']);
  t.equal(c?.turns[0]?.spans['endOfSpeech→firstAudio'], 701);
});

t.test('the recorder: a failed stream then RECORD mode — the stream\'s late end does not overwrite the fallback', async (t) => {
  const store = await tempStore(t, { recordsMaskNumbers: false });
  const live = new LiveCalls();
  const { log } = logger();
  const rec = new CallRecorder({ config: { recordsTranscripts: true, recordsMaskNumbers: false, callMode: 'AUTO' }, logger: log, store, live, liveLingerMs: 50 });
  rec.incomingCall(CALL, '+972501234567', undefined, 'stream');
  await rec.feed({ dropped: 0, notices: [start, turn(1)] });
  rec.streamEnded(CALL, 'pong-timeout', 'record', 'WS_ERR_PONG_TIMEOUT');
  await rec.feed({ dropped: 0, notices: [{ kind: 'call-end', callSid: CALL, at: at + 9000, endedBy: 'pong-timeout', code: 'WS_ERR_PONG_TIMEOUT' }] });
  t.equal(live.get(CALL)?.mode, 'record', 'still live, now in RECORD mode');
  rec.recordThinking(CALL);
  t.equal(live.get(CALL)?.state, 'thinking');
  rec.recordTurn(CALL, { turn: 2, callerText: 'מה הכתובת?', agentText: 'רחוב הרצל', interrupted: false, spans: { sttMs: 300 } });
  await rec.drain(1000);
  let c = await store.getCall(CALL);
  t.equal(c?.endedBy, 'fallback');
  t.equal(c?.from, '+972501234567', 'masking off: the full number');
  t.same(c?.modes.map((m) => m.mode), ['stream', 'record']);
  t.same(c?.turns.map((x) => `${x.mode}:${x.turn}`), ['stream:1', 'record:2']);
  t.ok(c?.events.some((e) => e.kind === 'error' && e.code === 'WS_ERR_PONG_TIMEOUT'), 'the stream\'s failure is on the timeline');
  rec.callEnded(CALL, 'caller-hangup');
  await rec.drain(1000);
  c = await store.getCall(CALL);
  t.equal(c?.endedBy, 'caller-hangup', 'RECORD mode reports how the call really ended');
  t.equal(live.size, 0);
});

t.test('transcripts off: no words and no keys pressed in the record', async (t) => {
  const store = await tempStore(t, { recordsTranscripts: false });
  const { log } = logger();
  const rec = new CallRecorder({ config: { recordsTranscripts: false, recordsMaskNumbers: true, callMode: 'AUTO' }, logger: log, store, live: new LiveCalls() });
  await rec.feed({ dropped: 0, notices: [start, turn(1), { kind: 'event', callSid: CALL, at, event: 'dtmf', detail: '4' }] });
  const c = await store.getCall(CALL);
  t.same(c?.turns.map((x) => [x.callerText, x.agentText]), [[null, null]]);
  t.match(c?.events.find((e) => e.kind === 'dtmf'), { kind: 'dtmf' });
  t.equal(c?.events.find((e) => e.kind === 'dtmf')?.detail, undefined, 'the digit is not kept');
});

t.test('the recorder: a stream that ends without a word from stream_ended leaves the live page after a moment', async (t) => {
  const live = new LiveCalls();
  const { log } = logger();
  const rec = new CallRecorder({ config: { recordsTranscripts: false, recordsMaskNumbers: true, callMode: 'AUTO' }, logger: log, live, liveLingerMs: 30 });
  await rec.feed({ dropped: 3, notices: [start, turn(1), { kind: 'call-end', callSid: CALL, at, endedBy: 'peer' }] });
  t.equal(live.get(CALL)?.transcript.every((l) => l.text === ''), true, 'transcripts off: the live page shows no words');
  t.equal(live.size, 1);
  await new Promise((r) => setTimeout(r, 80));
  t.equal(live.size, 0);
  t.same([callEndingOf('peer'), callEndingOf('transfer'), callEndingOf('session-error')], ['caller-hangup', 'transfer', 'error']);
});

t.test('the internal route takes a signed CallFeedBatch, refuses a malformed one', async (t) => {
  const store = await tempStore(t);
  const live = new LiveCalls();
  const { log } = logger();
  const config = loadConfig({});
  const rec = new CallRecorder({ config, logger: log, store, live });
  const internal = buildInternalApp({ config, logger: log, outcomes: new CallOutcomes(), conversations: new MemoryConversationStore(), recorder: rec });
  t.teardown(() => internal.close());
  const post = (body: unknown) => {
    const payload = JSON.stringify(body);
    return internal.inject({ method: 'POST', url: INTERNAL_PATHS.callFeed, payload, headers: { 'content-type': 'application/json', [INTERNAL_SIGNATURE_HEADER]: internalSignature(config.callTokenSecret, payload) } });
  };
  const batch: CallFeedBatch = { dropped: 0, notices: [start, turn(1)] };
  t.equal((await post(batch)).statusCode, 204);
  t.equal((await store.getCall(CALL))?.turns.length, 1, 'written before the 204');
  t.equal((await post({ dropped: 0, notices: [{ ...start, direction: 'fax' }] })).statusCode, 400);
  t.equal((await post({ notices: [] })).statusCode, 400);
  t.equal(parseCallFeedBatch({ dropped: 0, notices: [{ kind: 'event', callSid: CALL, at, event: 'mode' }] }), undefined, 'mode changes are not the media worker\'s to report');
  const unsigned = await internal.inject({ method: 'POST', url: INTERNAL_PATHS.callFeed, payload: JSON.stringify(batch), headers: { 'content-type': 'application/json' } });
  t.equal(unsigned.statusCode, 403);
});

t.test('the retention purge deletes calls older than RECORDS_RETENTION_DAYS, keeps the rest', async (t) => {
  const store = await tempStore(t);
  const now = Date.now();
  await store.startCall({ callSid: 'CA-old', startedAt: now - 31 * 86_400_000 });
  await store.startCall({ callSid: 'CA-new', startedAt: now - 29 * 86_400_000 });
  const { log } = logger();
  const retention = startRetentionPurge(store, { retentionDays: 30, logger: log, intervalMs: 60_000 });
  t.teardown(() => retention.stop());
  await retention.purgeNow();
  t.equal(await store.getCall('CA-old'), undefined);
  t.ok(await store.getCall('CA-new'));
});
