// Barge-in on scripted frames: one character per 20 ms frame; 'S' caller speech, '.' silence; agent playing unless said.
import t from 'tap';
import { BargeInDetector, type BargeInOptions } from '../src/index';

/** Returns the times (end of frame, ms) at which push returned true. */
function run(script: string, playing: string | boolean = true, opts?: BargeInOptions, detector = new BargeInDetector(opts)): number[] {
  const fired: number[] = [];
  const frames = script.split('');
  frames.forEach((c, i) => {
    const agentPlaying = typeof playing === 'boolean' ? playing : playing[i] === 'P';
    if (detector.push(c === 'S', agentPlaying, 20)) fired.push((i + 1) * 20);
  });
  return fired;
}

t.test('200 ms of caller speech over agent audio is a barge-in, reported once', async (t) => {
  t.same(run('....' + 'S'.repeat(30)), [280], 'speech from 80 ms, 200 ms of it by 280 ms');
});

t.test('190 ms is not enough', async (t) => {
  const d = new BargeInDetector({ minSpeechMs: 190 });
  t.same(run('SSSSSSSSS.........', true, { minSpeechMs: 200 }), []);
  t.same(run('S'.repeat(10), true, undefined, d), [200], 'counted in whole frames');
});

t.test('caller speech while the agent is silent is not a barge-in', async (t) => {
  t.same(run('S'.repeat(50), false), []);
});

t.test('gaps up to 60 ms are bridged and count toward the duration', async (t) => {
  t.same(run('SSS...SSS...'), [], '3 speech frames, 60 ms gap, 3 speech frames: 180 ms');
  t.same(run('SSS...SSSS'), [200]);
  t.same(run('SS.SS.SS.SS'), [200]);
});

t.test('a gap over 60 ms restarts the count', async (t) => {
  t.same(run('SSSSSSSS....SSSSSSSS'), []);
  t.same(run('SSSSSSSS....SSSSSSSSSS'), [440]);
});

t.test('speech counts only while the agent is playing, and playback stopping re-arms the detector', async (t) => {
  // agent starts playing at frame 5; the caller was already talking
  t.same(run('SSSSSSSSSSSSSSSS', '.....PPPPPPPPPPP'), [300]);
  // first barge-in, playback stops (cleared), then a new reply plays and the caller interrupts again
  t.same(run('SSSSSSSSSS....SSSSSSSSSS', 'PPPPPPPPPP....PPPPPPPPPP'), [200, 480]);
  // playback pausing mid-speech restarts the count
  t.same(run('SSSSSSSSSSSS', 'PPPPP.PPPPPP'), []);
});

t.test('reset re-arms after a barge-in', async (t) => {
  const d = new BargeInDetector();
  t.same(run('S'.repeat(12), true, undefined, d), [200]);
  t.same(run('S'.repeat(12), true, undefined, d), [], 'still the same stretch of playback');
  d.reset();
  t.same(run('S'.repeat(10), true, undefined, d), [200]);
});

t.test('options change the thresholds', async (t) => {
  t.same(run('SS....S', true, { minSpeechMs: 80, maxGapMs: 100 }), [140], 'an 80 ms gap is bridged when maxGapMs is 100');
  t.same(run('SS....S', true, { minSpeechMs: 80 }), [], 'but not by default');
  t.same(run('SS', true, { minSpeechMs: 40 }), [40]);
});

t.test('bad options and frame lengths are refused', async (t) => {
  t.throws(() => new BargeInDetector({ minSpeechMs: -5 }), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
  t.throws(() => new BargeInDetector({ maxGapMs: Infinity }), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
  t.throws(() => new BargeInDetector().push(true, true, -20), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});
