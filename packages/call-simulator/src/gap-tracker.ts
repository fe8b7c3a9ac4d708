// Finds audible silences in received audio: a gap is time the playback sat empty between two pieces of audio.
import { BYTES_PER_MS } from './playback-buffer';
import { GAP_THRESHOLD_MS, type Gap } from './call-result';

export class GapTracker {
  private dryAtMs: number | null = null;
  readonly gaps: Gap[] = [];

  constructor(private readonly thresholdMs = GAP_THRESHOLD_MS) {}

  /** Audio of `bytes` arrived at `nowMs`; returns the gap it ended, if one above the threshold. */
  audio(nowMs: number, bytes: number): Gap | undefined {
    let gap: Gap | undefined;
    if (this.dryAtMs === null || nowMs >= this.dryAtMs) {
      if (this.dryAtMs !== null && nowMs - this.dryAtMs > this.thresholdMs) {
        gap = { atMs: this.dryAtMs, ms: nowMs - this.dryAtMs };
        this.gaps.push(gap);
      }
      this.dryAtMs = nowMs + bytes / BYTES_PER_MS;
    } else {
      this.dryAtMs += bytes / BYTES_PER_MS;
    }
    return gap;
  }

  /** A clear empties the playback now. */
  clear(nowMs: number): void {
    if (this.dryAtMs !== null && this.dryAtMs > nowMs) this.dryAtMs = nowMs;
  }
}
