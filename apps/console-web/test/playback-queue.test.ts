// The softphone's playback queue against a fake AudioContext clock: marks come back when their audio has played, at
// once when nothing is queued, and all at once on clear (Twilio's rules, docs in twilio-media-streams.md).
import t from 'tap';
import { PlaybackQueue } from '../src/softphone/playback-queue';

/** Just what PlaybackQueue uses; `currentTime` is moved by the test. */
class FakeContext {
  currentTime = 0;
  baseLatency = 0.01;
  outputLatency = 0.02;
  destination = {};
  started: { at: number; stopped: boolean }[] = [];
  createBuffer(_channels: number, length: number, sampleRate: number) {
    const data = new Float32Array(length);
    return { duration: length / sampleRate, getChannelData: () => data };
  }
  createBufferSource() {
    const record = { at: -1, stopped: false };
    this.started.push(record);
    return {
      buffer: null as unknown,
      connect() {},
      disconnect() {},
      start(at: number) {
        record.at = at;
      },
      stop() {
        record.stopped = true;
      },
    };
  }
}

const tick = () => new Promise((r) => setTimeout(r, 30));
const frame = (ms: number) => new Uint8Array(ms * 8).fill(0xff);

function setup() {
  const ctx = new FakeContext();
  const echoed: [string, boolean][] = [];
  const queue = new PlaybackQueue(ctx as unknown as AudioContext, (name, cleared) => echoed.push([name, cleared]));
  t.teardown(() => queue.close());
  return { ctx, echoed, queue };
}

t.test('a mark with nothing queued is echoed at once', async (t) => {
  const { echoed, queue } = setup();
  queue.mark('m0');
  t.same(echoed, [['m0', false]]);
});

t.test('chunks play back to back, and each mark comes back only once its audio has left the speakers', async (t) => {
  const { ctx, echoed, queue } = setup();
  queue.enqueue(frame(100));
  queue.mark('a');
  queue.enqueue(frame(100));
  queue.mark('b');
  t.equal(ctx.started[0]?.at, 0.06, 'the first chunk starts after a short lead');
  t.equal(ctx.started[1]?.at, 0.16, 'the second right after the first, no gap');
  ctx.currentTime = 0.16 + 0.02; // a's audio ended at 0.16, but not yet past the output latency (0.03 s)
  await tick();
  t.same(echoed, [], 'not yet: still in the output path');
  ctx.currentTime = 0.2;
  await tick();
  t.same(echoed, [['a', false]], 'a after its audio played');
  t.equal(Math.round(queue.counters.audioPlayedMs), 100, '100 ms counted as played');
  ctx.currentTime = 0.3;
  await tick();
  t.same(echoed, [['a', false], ['b', false]]);
  t.equal(queue.counters.marksPlayed, 2);
  t.equal(Math.round(queue.counters.audioPlayedMs), 200);
});

t.test('clear stops what is queued, counts only what played, and echoes every pending mark at once', async (t) => {
  const { ctx, echoed, queue } = setup();
  queue.enqueue(frame(200));
  queue.mark('x');
  queue.enqueue(frame(200));
  queue.mark('y');
  ctx.currentTime = 0.11; // 50 ms into the first chunk
  queue.clear();
  t.same(echoed, [['x', true], ['y', true]], 'both marks at once, flagged as cleared');
  t.ok(ctx.started.every((s) => s.stopped), 'every queued chunk stopped');
  t.equal(Math.round(queue.counters.audioPlayedMs), 50, 'only the 50 ms that played count');
  t.same({ cleared: queue.counters.marksCleared, clears: queue.counters.clears, queued: queue.queuedS }, { cleared: 2, clears: 1, queued: 0 });
  queue.enqueue(frame(20));
  t.ok(Math.abs((ctx.started[2]?.at ?? 0) - 0.17) < 1e-9, 'new audio after a clear starts afresh (with the lead)');
});
