// Turn detection on scripted VAD sequences: one character per 20 ms frame, 'S' speech and '.' silence.
import t from 'tap';
import { TurnDetector, type TurnEvent, type TurnDetectorOptions } from '../src/index';

function run(script: string, opts?: TurnDetectorOptions, frameMs = 20, detector = new TurnDetector(opts)): TurnEvent[] {
  const events: TurnEvent[] = [];
  for (const c of script.replace(/\s/g, '').split('')) {
    const event = detector.push(c === 'S', frameMs);
    if (event) events.push(event);
  }
  return events;
}

const S = (ms: number) => 'S'.repeat(ms / 20);
const _ = (ms: number) => '.'.repeat(ms / 20);

t.test('silence alone produces no events', async (t) => {
  t.same(run(_(5000)), []);
});

t.test('speech starts after 60 ms of consecutive speech and the turn ends after 700 ms of silence', async (t) => {
  t.same(run(_(100) + S(1000) + _(700)), [
    { type: 'speech-start', atMs: 160 },
    { type: 'end-of-turn', atMs: 1800, speechMs: 1000 },
  ]);
});

t.test('one silent frame short of 700 ms does not end the turn', async (t) => {
  const d = new TurnDetector();
  t.same(run(S(400) + _(680), undefined, 20, d), [{ type: 'speech-start', atMs: 60 }]);
  t.equal(d.inSpeech, true);
  t.same(run(_(20), undefined, 20, d), [{ type: 'end-of-turn', atMs: 1100, speechMs: 400 }]);
  t.equal(d.inSpeech, false);
});

t.test('pauses shorter than endSilenceMs stay inside one turn, and count in its speech time', async (t) => {
  t.same(run(S(300) + _(500) + S(300) + _(600) + S(100) + _(700)), [
    { type: 'speech-start', atMs: 60 },
    { type: 'end-of-turn', atMs: 2500, speechMs: 1800 },
  ]);
});

t.test('blips shorter than startSpeechMs are ignored, however many there are', async (t) => {
  t.same(run((S(40) + _(20)).repeat(50)), []);
});

t.test('speech that started but lasted less than minSpeechMs is discarded after the silence', async (t) => {
  t.same(run(S(100) + _(700)), [
    { type: 'speech-start', atMs: 60 },
    { type: 'discarded', atMs: 800, speechMs: 100 },
  ]);
  t.same(run(S(200) + _(700)), [
    { type: 'speech-start', atMs: 60 },
    { type: 'end-of-turn', atMs: 900, speechMs: 200 },
  ], 'exactly minSpeechMs is a turn');
});

t.test('turns follow one another on the same clock', async (t) => {
  t.same(run(S(300) + _(700) + _(200) + S(300) + _(700)).map((e) => `${e.type}@${e.atMs}`), [
    'speech-start@60',
    'end-of-turn@1000',
    'speech-start@1260',
    'end-of-turn@2200',
  ]);
});

t.test('options change the thresholds and 10 ms frames give the same times', async (t) => {
  const opts = { endSilenceMs: 300, minSpeechMs: 100, startSpeechMs: 20 };
  t.same(run(S(200) + _(300), opts), [
    { type: 'speech-start', atMs: 20 },
    { type: 'end-of-turn', atMs: 500, speechMs: 200 },
  ]);
  t.same(run('S'.repeat(20) + '.'.repeat(70), undefined, 10), [
    { type: 'speech-start', atMs: 60 },
    { type: 'end-of-turn', atMs: 900, speechMs: 200 },
  ]);
});

t.test('reset forgets speech in progress and restarts the clock', async (t) => {
  const d = new TurnDetector();
  run(S(500), undefined, 20, d);
  t.equal(d.inSpeech, true);
  d.reset();
  t.equal(d.inSpeech, false);
  t.equal(d.nowMs, 0);
  t.same(run(_(1000), undefined, 20, d), [], 'no end-of-turn for speech before the reset');
  t.same(run(S(60), undefined, 20, d), [{ type: 'speech-start', atMs: 1060 }]);
});

t.test('bad options and frame lengths are refused', async (t) => {
  t.throws(() => new TurnDetector({ endSilenceMs: -1 }), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
  t.throws(() => new TurnDetector({ minSpeechMs: Number.NaN }), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
  t.throws(() => new TurnDetector().push(true, 0), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});
