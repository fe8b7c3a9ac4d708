// G.711 A-law decoding (for reading A-law WAV files); the telephony path itself is μ-law.

/** A-law byte → linear int16, all 256 values. */
export const ALAW_DECODE_TABLE: Int16Array = new Int16Array(256);
for (let b = 0; b < 256; b++) {
  const a = b ^ 0x55; // even bits are inverted on the wire
  const segment = (a >> 4) & 0x07;
  let magnitude = ((a & 0x0f) << 4) + 8;
  if (segment > 0) magnitude = (magnitude + 0x100) << (segment - 1);
  ALAW_DECODE_TABLE[b] = a & 0x80 ? magnitude : -magnitude;
}

export function alawToLinear(byte: number): number {
  return ALAW_DECODE_TABLE[byte & 0xff] ?? 0;
}

export function decodeAlaw(bytes: Uint8Array): Int16Array {
  const pcm = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pcm[i] = ALAW_DECODE_TABLE[bytes[i] as number] as number;
  return pcm;
}
