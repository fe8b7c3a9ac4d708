// G.711 μ-law codec (bias 0x84, clip 32635) with lookup tables built once at module load.

import { AudioError } from './audio-error';

const BIAS = 0x84;
const CLIP = 32635;

/** Segment (exponent) for a biased magnitude, indexed by magnitude >> 7. */
const SEGMENT = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let seg = 0;
  for (let v = i; v > 1; v >>= 1) seg++;
  SEGMENT[i] = seg;
}

function encodeSlow(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = sign ? -sample : sample;
  if (magnitude > CLIP) magnitude = CLIP;
  magnitude += BIAS;
  const exponent = SEGMENT[(magnitude >> 7) & 0xff] ?? 0;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function decodeSlow(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** μ-law byte → linear int16, all 256 values. */
export const MULAW_DECODE_TABLE: Int16Array = new Int16Array(256);
for (let b = 0; b < 256; b++) MULAW_DECODE_TABLE[b] = decodeSlow(b);

/** Linear int16 → μ-law byte, indexed by `sample & 0xffff` (64 KiB; the low bits matter for negatives). */
export const MULAW_ENCODE_TABLE: Uint8Array = new Uint8Array(65536);
for (let s = -32768; s < 32768; s++) MULAW_ENCODE_TABLE[s & 0xffff] = encodeSlow(s);

export function mulawToLinear(byte: number): number {
  return MULAW_DECODE_TABLE[byte & 0xff] ?? 0;
}

/** Rounds and clamps `sample` to int16 first, so any number is accepted. */
export function linearToMulaw(sample: number): number {
  let s = Math.round(sample);
  if (!(s >= -32768)) s = -32768; // also catches NaN
  else if (s > 32767) s = 32767;
  return MULAW_ENCODE_TABLE[s & 0xffff] ?? 0xff;
}

export function decodeMulaw(bytes: Uint8Array, out?: Int16Array): Int16Array {
  const pcm = out ?? new Int16Array(bytes.length);
  if (pcm.length < bytes.length) throw outTooSmall(pcm.length, bytes.length);
  for (let i = 0; i < bytes.length; i++) pcm[i] = MULAW_DECODE_TABLE[bytes[i] as number] as number;
  return pcm;
}

export function encodeMulaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const bytes = out ?? new Uint8Array(pcm.length);
  if (bytes.length < pcm.length) throw outTooSmall(bytes.length, pcm.length);
  for (let i = 0; i < pcm.length; i++) bytes[i] = MULAW_ENCODE_TABLE[(pcm[i] as number) & 0xffff] as number;
  return bytes;
}

function outTooSmall(has: number, needs: number): AudioError {
  return new AudioError('AUDIO_ERR_INVALID_ARGUMENT', `out holds ${has} entries, needs ${needs}`);
}
