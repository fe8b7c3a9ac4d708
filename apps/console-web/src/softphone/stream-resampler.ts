// Streams microphone PCM through packages/audio's windowed-sinc resampler (its low-pass is the anti-alias filter) block by block.
import { resample } from '@tva/audio/dist/resample.js';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * `resample()` treats samples past either end of its input as zero, so cutting a stream into blocks would click at
 * every seam. This keeps `pad` samples of context on each side of every block (more than the filter reaches) and only
 * emits the outputs whose whole filter window was inside the block; blocks start on whole multiples of the rate
 * ratio's step, so each output lands exactly where it would in one long call. Latency: `pad` input samples (3.5 ms at 48 kHz).
 */
export class StreamResampler {
  /** Input samples per `outStep` output samples (the reduced ratio, e.g. 6 → 1 for 48 kHz → 8 kHz). */
  private readonly inStep: number;
  private readonly outStep: number;
  private readonly pad: number;
  /** Not yet resampled input, starting `pad` samples before the next output's position (zeros before the stream). */
  private pending: Int16Array;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) throw new RangeError(`rates must be positive integers, got ${fromRate} → ${toRate}`);
    const g = gcd(fromRate, toRate);
    this.inStep = fromRate / g;
    this.outStep = toRate / g;
    // why 28: the filter (24 zero crossings at 0.92 of the lower Nyquist) reaches 26.1 input samples per output period.
    const reach = 28 * Math.max(1, fromRate / toRate);
    this.pad = this.inStep * Math.ceil(reach / this.inStep);
    this.pending = new Int16Array(this.pad);
  }

  /** Feeds input samples; returns every output sample that is now final (possibly none). */
  push(input: Int16Array): Int16Array {
    const joined = new Int16Array(this.pending.length + input.length);
    joined.set(this.pending);
    joined.set(input, this.pending.length);
    const usable = Math.floor(joined.length / this.inStep) * this.inStep;
    if (usable < 2 * this.pad + this.inStep) {
      this.pending = joined;
      return new Int16Array(0);
    }
    const out = this.fromRate === this.toRate ? joined.slice(0, usable) : resample(joined.subarray(0, usable), this.fromRate, this.toRate);
    const first = (this.pad / this.inStep) * this.outStep;
    const last = ((usable - this.pad) / this.inStep) * this.outStep;
    this.pending = joined.slice(usable - 2 * this.pad);
    return out.slice(first, last);
  }
}
