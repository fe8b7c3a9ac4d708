// The softphone's block-by-block resampler: the same samples as one resample() of the whole signal, and no aliasing.
import t from 'tap';
import { resample } from '@tva/audio';
import { StreamResampler } from '../src/softphone/stream-resampler';

function tone(hz: number, rate: number, seconds: number, amplitude = 12000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

function rmsDb(pcm: Int16Array, amplitude = 12000): number {
  let sum = 0;
  for (const v of pcm) sum += v * v;
  return 20 * Math.log10(Math.sqrt(sum / pcm.length) / (amplitude / Math.SQRT2));
}

/** Feeds `input` in blocks of pseudo-random sizes (as audio callbacks might), returns everything emitted. */
function streamed(input: Int16Array, from: number, to: number, seed = 7): Int16Array {
  const r = new StreamResampler(from, to);
  const parts: Int16Array[] = [];
  let x = seed;
  for (let at = 0; at < input.length; ) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const n = 1 + (x % 2500);
    parts.push(r.push(input.subarray(at, at + n)));
    at += n;
  }
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

for (const from of [48_000, 44_100, 16_000]) {
  t.test(`${from} Hz → 8 kHz in uneven blocks equals one resample() of the whole signal`, async (t) => {
    const input = new Int16Array(from * 2);
    let x = 1;
    for (let i = 0; i < input.length; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      input[i] = (x % 20000) - 10000;
    }
    const whole = resample(input, from, 8000);
    const parts = streamed(input, from, 8000);
    t.ok(parts.length > whole.length - 120 && parts.length <= whole.length, `all but the last few ms are out (${parts.length} of ${whole.length})`);
    t.same(Array.from(parts), Array.from(whole.subarray(0, parts.length)), 'sample for sample');
  });
}

t.test('a 1 kHz tone passes; a 6 kHz tone (above 4 kHz, would alias to 2 kHz) is filtered out', async (t) => {
  const pass = streamed(tone(1000, 48_000, 1), 48_000, 8000).subarray(400, 7000);
  const stop = streamed(tone(6000, 48_000, 1), 48_000, 8000).subarray(400, 7000);
  t.ok(Math.abs(rmsDb(pass)) < 0.5, `1 kHz within 0.5 dB (${rmsDb(pass).toFixed(2)} dB)`);
  const naive = tone(6000, 48_000, 1).filter((_, i) => i % 6 === 0).subarray(400, 7000);
  t.ok(rmsDb(naive) > -3, `without the filter it would alias at full level (${rmsDb(naive).toFixed(1)} dB)`);
  t.ok(rmsDb(stop) < -50, `6 kHz at least 50 dB down (${rmsDb(stop).toFixed(1)} dB)`);
});
