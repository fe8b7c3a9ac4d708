// Regroups a byte stream of arbitrary pieces into fixed-size chunks (agent audio to Twilio in whole 20 ms frames).

import { assertPositive } from './audio-error';
import { FRAME_BYTES, MULAW_SILENCE_BYTE } from './framing';

export class Rechunker {
  readonly chunkBytes: number;
  private readonly buffer: Uint8Array;
  private filled = 0;

  constructor(chunkBytes: number) {
    assertPositive('chunkBytes', chunkBytes, true);
    this.chunkBytes = chunkBytes;
    this.buffer = new Uint8Array(chunkBytes);
  }

  /** Bytes held back, waiting for a whole chunk. */
  get pending(): number {
    return this.filled;
  }

  /** Returns every whole chunk now available (fresh arrays, never views of `bytes`). */
  push(bytes: Uint8Array): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    let at = 0;
    if (this.filled > 0) {
      const take = Math.min(this.chunkBytes - this.filled, bytes.length);
      this.buffer.set(bytes.subarray(0, take), this.filled);
      this.filled += take;
      at = take;
      if (this.filled < this.chunkBytes) return chunks;
      chunks.push(this.buffer.slice());
      this.filled = 0;
    }
    for (; at + this.chunkBytes <= bytes.length; at += this.chunkBytes) {
      chunks.push(bytes.slice(at, at + this.chunkBytes));
    }
    this.buffer.set(bytes.subarray(at), 0);
    this.filled = bytes.length - at;
    return chunks;
  }

  /** Returns what is pending padded with μ-law silence to a whole number of 20 ms frames, or null if nothing is. */
  flush(): Uint8Array | null {
    if (this.filled === 0) return null;
    const length = Math.ceil(this.filled / FRAME_BYTES) * FRAME_BYTES;
    const out = new Uint8Array(length).fill(MULAW_SILENCE_BYTE);
    out.set(this.buffer.subarray(0, this.filled));
    this.filled = 0;
    return out;
  }

  /** Drops whatever is pending (e.g. on barge-in). */
  clear(): void {
    this.filled = 0;
  }
}
