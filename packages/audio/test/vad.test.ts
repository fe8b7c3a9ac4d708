// Both VADs: silence is not speech, a synthetic voiced signal at speech level is, and misuse fails with a code.
import t from 'tap';
import { createEnergyVad, createWebRtcVad, decodeMulaw, encodeMulaw, rmsDbfs, type Vad } from '../src/index';

/** A vowel-like signal: 150 Hz glottal harmonics (with vibrato) shaped by formants near 700, 1220 and 2600 Hz. */
function voiced(samples: number, peak: number, f0 = 150, rate = 8000): Int16Array {
  const formants = [[700, 130], [1220, 70], [2600, 160]] as const;
  const gains: number[] = [];
  for (let h = 1; h * f0 < rate / 2; h++) {
    let g = 0;
    for (const [centre, width] of formants) g += 1 / (1 + ((h * f0 - centre) / width) ** 2);
    gains.push(g / Math.sqrt(h));
  }
  const raw = new Float64Array(samples);
  let phase = 0;
  let max = 0;
  for (let i = 0; i < samples; i++) {
    phase += (2 * Math.PI * f0 * (1 + 0.03 * Math.sin((2 * Math.PI * 4 * i) / rate))) / rate;
    let s = 0;
    gains.forEach((g, k) => (s += g * Math.sin((k + 1) * phase)));
    raw[i] = s;
    max = Math.max(max, Math.abs(s));
  }
  return Int16Array.from(raw, (s) => Math.round((s / max) * peak));
}

function frames(pcm: Int16Array, size = 160): Int16Array[] {
  const out: Int16Array[] = [];
  for (let at = 0; at + size <= pcm.length; at += size) out.push(pcm.subarray(at, at + size));
  return out;
}

function speechShare(vad: Vad, pcm: Int16Array, size = 160): number {
  const all = frames(pcm, size);
  return all.filter((f) => vad.isSpeech(f)).length / all.length;
}

const twoSeconds = 16000;
const speech = voiced(twoSeconds, 6000); // ≈ -18 dBFS RMS, a normal phone speech level
const overThePhone = decodeMulaw(encodeMulaw(speech));

t.test('the test signal is at speech level', async (t) => {
  const level = rmsDbfs(speech);
  t.ok(level > -25 && level < -12, `${level.toFixed(1)} dBFS`);
  t.equal(rmsDbfs(new Int16Array(160)), -Infinity);
});

for (const mode of [0, 1, 2, 3] as const) {
  t.test(`WebRTC VAD, mode ${mode}: silence is not speech, a voiced signal mostly is`, async (t) => {
    const vad = await createWebRtcVad({ mode });
    t.teardown(() => vad.close());
    t.equal(speechShare(vad, new Int16Array(twoSeconds)), 0, 'digital silence');
    t.ok(speechShare(vad, speech) >= 0.9, 'voiced signal, 20 ms frames');
    t.ok(speechShare(vad, overThePhone) >= 0.9, 'the same after a μ-law round trip');
  });
}

t.test('WebRTC VAD takes 10, 20 and 30 ms frames and refuses other lengths', async (t) => {
  const vad = await createWebRtcVad();
  t.teardown(() => vad.close());
  t.ok(speechShare(vad, speech, 80) >= 0.9, '10 ms');
  t.ok(speechShare(vad, speech, 240) >= 0.9, '30 ms');
  t.throws(() => vad.isSpeech(new Int16Array(320)), { code: 'VAD_ERR_FRAME_LENGTH' });
  t.throws(() => vad.isSpeech(new Int16Array(0)), { code: 'VAD_ERR_FRAME_LENGTH' });
});

t.test('WebRTC VADs keep separate state, and a closed one refuses frames', async (t) => {
  const a = await createWebRtcVad();
  const b = await createWebRtcVad();
  a.close();
  a.close();
  t.throws(() => a.isSpeech(new Int16Array(160)), { code: 'VAD_ERR_CLOSED' });
  t.ok(speechShare(b, speech) >= 0.9, 'the other still works');
  b.close();
});

t.test('WebRTC VAD refuses an unknown mode', async (t) => {
  await t.rejects(createWebRtcVad({ mode: 4 as 3 }), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});

t.test('energy VAD: silence and quiet noise are not speech, a voiced signal is', async (t) => {
  const vad = createEnergyVad();
  t.equal(speechShare(vad, new Int16Array(twoSeconds)), 0);
  t.equal(speechShare(vad, voiced(twoSeconds, 200)), 0, 'the same signal at ≈ -48 dBFS');
  t.equal(speechShare(vad, speech), 1);
  t.equal(speechShare(vad, overThePhone), 1);
});

t.test('energy VAD threshold is configurable', async (t) => {
  t.equal(speechShare(createEnergyVad({ thresholdDbfs: -10 }), speech), 0);
  t.equal(speechShare(createEnergyVad({ thresholdDbfs: -60 }), voiced(twoSeconds, 200)), 1);
  t.throws(() => createEnergyVad({ thresholdDbfs: Number.NaN }), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});

t.test('energy VAD follows the same frame and close rules', async (t) => {
  const vad = createEnergyVad();
  t.throws(() => vad.isSpeech(new Int16Array(100)), { code: 'VAD_ERR_FRAME_LENGTH' });
  vad.close();
  t.throws(() => vad.isSpeech(new Int16Array(160)), { code: 'VAD_ERR_CLOSED' });
});
