// Twilio media framing: 8 kHz μ-law in 20 ms (160-byte) frames, and μ-law silence.

import { assertPositive } from './audio-error';

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_BYTES = 160;
/** μ-law encodes zero as 0xFF (0x7F is "negative zero"; 0xFF is what encoders emit). */
export const MULAW_SILENCE_BYTE = 0xff;

export function mulawSilence(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) assertPositive('n', n, true);
  return new Uint8Array(n).fill(MULAW_SILENCE_BYTE);
}

/** Copies `bytes` into frames of `frameBytes`; the last partial frame is padded with μ-law silence. */
export function splitFrames(bytes: Uint8Array, frameBytes = FRAME_BYTES): Uint8Array[] {
  assertPositive('frameBytes', frameBytes, true);
  const frames: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += frameBytes) {
    if (at + frameBytes <= bytes.length) {
      frames.push(bytes.slice(at, at + frameBytes));
    } else {
      const last = mulawSilence(frameBytes);
      last.set(bytes.subarray(at));
      frames.push(last);
    }
  }
  return frames;
}
