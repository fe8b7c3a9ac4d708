// Tests the small parts of the simulator: URL resolution, gap tracking, the frame pacer, errors and summaries.
import t from 'tap';
import { performance } from 'node:perf_hooks';
import {
  FramePacer,
  GapTracker,
  SimulatorError,
  formatTimeline,
  resolveStreamUrl,
  summarize,
  type CallResult,
} from '../src/index';

t.test('a ws or wss URL is used as given', async (t) => {
  t.equal(resolveStreamUrl('ws://127.0.0.1:8080/ws/twilio-media'), 'ws://127.0.0.1:8080/ws/twilio-media');
  t.equal(resolveStreamUrl('wss://example.com/custom?x=1'), 'wss://example.com/custom?x=1');
});

t.test('an http(s) base without a path gets the stream path and a ws scheme', async (t) => {
  t.equal(resolveStreamUrl('http://localhost:8080'), 'ws://localhost:8080/ws/twilio-media');
  t.equal(resolveStreamUrl('https://agent.example.com/'), 'wss://agent.example.com/ws/twilio-media');
  t.equal(resolveStreamUrl('https://agent.example.com/other'), 'wss://agent.example.com/other');
});

t.test('anything else is a bad URL', async (t) => {
  t.throws(() => resolveStreamUrl('ftp://x'), { code: 'SIM_ERR_BAD_URL' });
  t.throws(() => resolveStreamUrl('not a url'), { code: 'SIM_ERR_BAD_URL' });
});

t.test('a gap is the silence between playback running dry and the next audio', async (t) => {
  const gaps = new GapTracker();
  t.equal(gaps.audio(0, 800), undefined, 'the first audio is no gap');
  t.equal(gaps.audio(50, 800), undefined, 'audio arriving while playing extends the playback');
  t.equal(gaps.audio(250, 160), undefined, '50 ms of silence is under the threshold');
  t.same(gaps.audio(500, 160), { atMs: 270, ms: 230 });
  t.same(gaps.gaps, [{ atMs: 270, ms: 230 }]);
});

t.test('a clear makes the playback run dry at once', async (t) => {
  const gaps = new GapTracker();
  gaps.audio(0, 8000);
  gaps.clear(100);
  t.same(gaps.audio(400, 160), { atMs: 100, ms: 300 });
});

t.test('the pacer sends frame n at start + n × 20 ms without drifting', async (t) => {
  const pacer = new FramePacer(20);
  const times: number[] = [];
  const start = performance.now();
  await pacer.pace(Array.from({ length: 25 }, () => new Uint8Array(1)), () => times.push(performance.now() - start));
  t.equal(times.length, 25);
  const last = times[24] as number;
  t.ok(last >= 478 && last < 600, `the 25th frame went at ${last.toFixed(1)} ms, expected ~480`);
  times.forEach((at, i) => t.ok(at >= i * 20 - 2, `frame ${i} not early (${at.toFixed(1)} ms)`));
});

t.test('back-to-back pace calls continue one schedule', async (t) => {
  const pacer = new FramePacer(20);
  const times: number[] = [];
  const start = performance.now();
  const frames = Array.from({ length: 5 }, () => new Uint8Array(1));
  const a = pacer.pace(frames, () => times.push(performance.now() - start));
  const b = pacer.pace(frames, () => times.push(performance.now() - start));
  await Promise.all([a, b]);
  const tenth = times[9] as number;
  t.ok(tenth >= 178 && tenth < 280, `the 10th frame went at ${tenth.toFixed(1)} ms, expected ~180`);
});

t.test('a cancelled pacer sends nothing more and refuses more work', async (t) => {
  const pacer = new FramePacer(20);
  let sent = 0;
  const run = pacer.pace(Array.from({ length: 50 }, () => new Uint8Array(1)), () => {
    sent++;
    if (sent === 3) pacer.cancel();
  });
  await t.rejects(run, { code: 'SIM_ERR_CLOSED' });
  t.equal(sent, 3);
  await t.rejects(pacer.pace([new Uint8Array(1)], () => sent++), { code: 'SIM_ERR_CLOSED' });
  t.equal(sent, 3);
});

t.test('cancel wakes a pacer that is waiting for its next frame', async (t) => {
  const pacer = new FramePacer(5000);
  const start = performance.now();
  const run = pacer.pace([new Uint8Array(1), new Uint8Array(1)], () => undefined);
  setTimeout(() => pacer.cancel(), 50);
  await t.rejects(run, { code: 'SIM_ERR_CLOSED' });
  t.ok(performance.now() - start < 2000, 'it did not wait out the 5 s frame');
});

t.test('a SimulatorError carries a code and, for refusals, the HTTP status', async (t) => {
  const err = new SimulatorError('SIM_ERR_UPGRADE_REFUSED', 'HTTP 404', { upstreamStatus: 404 });
  t.ok(err instanceof Error);
  t.equal(err.code, 'SIM_ERR_UPGRADE_REFUSED');
  t.equal(err.upstreamStatus, 404);
  t.equal(err.status, undefined, 'the simulator answers nothing: no status of its own');
  t.match(err.message, /refused.*HTTP 404/);
});

const RESULT: CallResult = {
  streamSid: 'MZ1',
  callSid: 'CA1',
  received: new Uint8Array(1600),
  played: new Uint8Array(1200),
  sentBytes: 3200,
  marks: [
    { name: 'a', sentAtMs: 10, echoedAtMs: 110, clearedBeforePlay: false },
    { name: 'b', sentAtMs: 20, echoedAtMs: 150, clearedBeforePlay: true },
    { name: 'c', sentAtMs: 30, echoedAtMs: null, clearedBeforePlay: false },
  ],
  clears: [150],
  firstAudioMs: 12,
  gaps: [{ atMs: 300, ms: 240 }],
  timeline: [
    { atMs: 2, event: 'open', detail: 'no subprotocol' },
    { atMs: 12, event: 'first-audio' },
    { atMs: 1450, event: 'close', detail: '1000 stop' },
  ],
  closeCode: 1000,
  closeReason: 'stop',
  protocol: '',
  durationMs: 1450,
  errors: [],
};

t.test('formatTimeline writes one aligned line per entry', async (t) => {
  t.equal(formatTimeline(RESULT), ['+   2 ms  open  no subprotocol', '+  12 ms  first-audio', '+1450 ms  close  1000 stop'].join('\n'));
});

t.test('summarize counts bytes, marks, clears and gaps', async (t) => {
  t.same(summarize(RESULT), {
    streamSid: 'MZ1',
    bytesSent: 3200,
    bytesReceived: 1600,
    receivedMs: 200,
    bytesPlayed: 1200,
    firstAudioMs: 12,
    marksSent: 3,
    marksEchoed: 2,
    marksClearedBeforePlay: 1,
    clears: 1,
    gaps: 1,
    longestGapMs: 240,
    closeCode: 1000,
    closeReason: 'stop',
    protocol: '',
    upgradeStatus: null,
    upgradeBody: null,
    durationMs: 1450,
    errors: [],
  });
  t.doesNotThrow(() => JSON.stringify(summarize(RESULT)));
});
