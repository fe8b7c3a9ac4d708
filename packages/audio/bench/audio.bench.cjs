// Per-frame cost of the hot audio path (VADs, μ-law, resampling). Build first, then: node packages/audio/bench/audio.bench.cjs
'use strict';
const audio = require('../dist/index.js');

const FRAME = 160; // 20 ms at 8 kHz
const seconds = 10;
const pcm = Int16Array.from({ length: 8000 * seconds }, (_, i) =>
  Math.round(6000 * (Math.sin((2 * Math.PI * 150 * i) / 8000) + 0.5 * Math.sin((2 * Math.PI * 700 * i) / 8000)) / 1.5),
);
const frames = [];
for (let at = 0; at + FRAME <= pcm.length; at += FRAME) frames.push(pcm.subarray(at, at + FRAME));
const mulawFrames = frames.map((f) => audio.encodeMulaw(f));

function bench(name, rounds, fn) {
  fn(); // warm up
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let k = 0; k < rounds; k++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / rounds);
  }
  return best;
}

(async () => {
  const loadStart = process.hrtime.bigint();
  const webrtc = await audio.createWebRtcVad({ mode: 3 });
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  const energy = audio.createEnergyVad();
  const out = new Int16Array(FRAME);
  const rows = [
    ['WebRTC VAD (fvad-wasm) isSpeech', bench('webrtc', 20, () => frames.forEach((f) => webrtc.isSpeech(f))) / frames.length],
    ['energy VAD isSpeech', bench('energy', 20, () => frames.forEach((f) => energy.isSpeech(f))) / frames.length],
    ['decodeMulaw (into a buffer)', bench('decode', 50, () => mulawFrames.forEach((f) => audio.decodeMulaw(f, out))) / frames.length],
    ['encodeMulaw', bench('encode', 50, () => frames.forEach((f) => audio.encodeMulaw(f))) / frames.length],
    ['resample 16k→8k (per 20 ms out)', bench('resample', 5, () => audio.resample(pcm, 16000, 8000)) / (frames.length / 2)],
  ];
  console.log(`first createWebRtcVad (loads the WASM): ${loadMs.toFixed(1)} ms`);
  for (const [name, ns] of rows) console.log(`${name.padEnd(36)} ${(ns / 1000).toFixed(2)} µs per 20 ms frame`);
  webrtc.close();
})();
