// Packs TTS audio for Twilio: whole multiples of 20 ms, at least `minBytes` per message when more is coming.
import { FRAME_BYTES, mulawSilence } from '@tva/audio';

export class OutboundPacker {
  private pending: Uint8Array = new Uint8Array(0);

  // why: Twilio plays any size, but tiny chunks are reported to stutter; 60 ms keeps latency low and playback smooth.
  constructor(private readonly minBytes = 3 * FRAME_BYTES) {}

  /** Adds TTS bytes; returns a chunk ready to send, or null while under minBytes. */
  push(bytes: Uint8Array): Uint8Array | null {
    const all = new Uint8Array(this.pending.length + bytes.length);
    all.set(this.pending);
    all.set(bytes, this.pending.length);
    const whole = all.length - (all.length % FRAME_BYTES);
    if (whole < this.minBytes) {
      this.pending = all;
      return null;
    }
    this.pending = all.slice(whole);
    return all.subarray(0, whole);
  }

  /** The rest, padded with μ-law silence to a whole frame; null when nothing is left. */
  flush(): Uint8Array | null {
    if (this.pending.length === 0) return null;
    const out = mulawSilence(Math.ceil(this.pending.length / FRAME_BYTES) * FRAME_BYTES);
    out.set(this.pending);
    this.pending = new Uint8Array(0);
    return out;
  }

  reset(): void {
    this.pending = new Uint8Array(0);
  }
}
