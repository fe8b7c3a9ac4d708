// Audio for driving recognizers in tests: speech-like and silent 8 kHz μ-law.
import { MULAW_SILENCE_BYTE, encodeMulaw } from '@tva/audio';

/** A voiced-sounding signal (two tones, slow amplitude wobble) as 8 kHz μ-law, loud enough for any energy detector. */
export function speechLikeMulaw(durationMs: number, amplitude = 8000): Uint8Array {
  const n = Math.round(durationMs * 8);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 8000;
    const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t);
    pcm[i] = Math.round(amplitude * envelope * (0.7 * Math.sin(2 * Math.PI * 220 * t) + 0.3 * Math.sin(2 * Math.PI * 660 * t)));
  }
  return encodeMulaw(pcm);
}

export function silenceMulaw(durationMs: number): Uint8Array {
  return new Uint8Array(Math.round(durationMs * 8)).fill(MULAW_SILENCE_BYTE);
}
