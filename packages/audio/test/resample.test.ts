// Resampling keeps tones below the new Nyquist, removes those above it, and gets lengths right.
import t from 'tap';
import { resample, resampledLength } from '../src/index';

function tone(hz: number, rate: number, seconds: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}

/** Peak-equivalent level (√2·RMS) over the middle 60 %, in dB relative to `reference`; aliases count too. */
function levelDb(pcm: Int16Array, reference: number): number {
  const from = Math.floor(pcm.length * 0.2);
  const to = Math.floor(pcm.length * 0.8);
  let sum = 0;
  for (let i = from; i < to; i++) sum += (pcm[i] as number) ** 2;
  const peak = Math.sqrt(sum / (to - from)) * Math.SQRT2;
  return 20 * Math.log10(Math.max(peak, 1e-9) / reference);
}

const conversions: Array<[number, number]> = [
  [44100, 8000],
  [16000, 8000],
  [8000, 16000],
  [22050, 8000],
  [48000, 8000],
  [24000, 8000],
  [11025, 8000],
  [8000, 44100],
];

for (const [from, to] of conversions) {
  t.test(`${from} → ${to} Hz`, async (t) => {
    const nyquist = Math.min(from, to) / 2;
    for (const hz of [300, 1000, 3000, 3400]) {
      const out = resample(tone(hz, from, 0.5), from, to);
      t.ok(Math.abs(levelDb(out, 10000)) <= 1, `a ${hz} Hz tone keeps its level within 1 dB (${levelDb(out, 10000).toFixed(2)} dB)`);
    }
    if (to < from) {
      for (const hz of [nyquist + 400, nyquist * 1.5, from / 2 - 100]) {
        const out = resample(tone(hz, from, 0.5), from, to);
        t.ok(levelDb(out, 10000) <= -30, `a ${hz} Hz tone above the new Nyquist is at least 30 dB down (${levelDb(out, 10000).toFixed(1)} dB)`);
      }
    }
    t.equal(resample(new Int16Array(from), from, to).length, to, 'one second in gives one second out');
  });
}

t.test('output length covers every output instant inside the input', async (t) => {
  t.equal(resampledLength(441, 44100, 8000), 80);
  t.equal(resampledLength(442, 44100, 8000), 81);
  t.equal(resampledLength(3, 16000, 8000), 2);
  t.equal(resampledLength(3, 8000, 16000), 6);
  t.equal(resample(new Int16Array(0), 16000, 8000).length, 0);
  t.equal(resample(new Int16Array(1), 8000, 16000).length, 2);
});

t.test('a non-integer rate ratio works too', async (t) => {
  const out = resample(tone(1000, 16000.5, 0.5), 16000.5, 8000);
  t.equal(out.length, resampledLength(8000, 16000.5, 8000));
  t.ok(Math.abs(levelDb(out, 10000)) <= 1);
});

t.test('equal rates return a copy, not the same array', async (t) => {
  const pcm = tone(440, 8000, 0.01);
  const out = resample(pcm, 8000, 8000);
  t.not(out, pcm);
  t.same(out, pcm);
});

t.test('full-scale input clips instead of wrapping around', async (t) => {
  const square = Int16Array.from({ length: 4800 }, (_, i) => (Math.floor(i / 24) % 2 ? 32767 : -32768));
  const out = resample(square, 48000, 8000);
  let wrapped = 0;
  for (let i = 1; i < out.length; i++) if (Math.abs((out[i] as number) - (out[i - 1] as number)) > 60000) wrapped++;
  t.equal(wrapped, 0);
});

t.test('rates must be positive numbers', async (t) => {
  t.throws(() => resample(new Int16Array(4), 0, 8000), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
  t.throws(() => resample(new Int16Array(4), 8000, Number.NaN), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});
