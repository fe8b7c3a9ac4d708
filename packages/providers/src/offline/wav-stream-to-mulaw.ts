// Turns a streamed PCM16 WAV (espeak-ng's stdout) into 8 kHz μ-law incrementally, in blocks, as bytes arrive.

import { WAV_ERRORS, encodeMulaw, resample } from '@tva/audio';
import { createErrorClass } from '@tva/errors';

const OUT_RATE = 8000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A streamed WAV this converter cannot take, with @tva/audio's WAV_ERR_* codes. */
export class WavStreamError extends createErrorClass('WavStreamError', WAV_ERRORS) {}

/**
 * Why blocks of whole "periods": with rate ratio m:l (input:output samples), output k sits at input k·m/l;
 * a slice that starts on a multiple of m keeps every output on the same filter phase as a one-shot
 * resample of the whole file, and `context` samples either side cover the filter's reach, so the
 * stitched output matches @tva/audio's `resample` of the whole input.
 */
export class WavStreamToMulaw {
  private header = new Uint8Array(0);
  private rate = 0;
  private channels = 1;
  private m = 1;
  private l = 1;
  private block = 0;
  private context = 0;
  /** Mono samples from absolute input index `base` on. */
  private pcm = new Int16Array(0);
  private base = 0;
  private total = 0;
  /** Absolute input index where the next unconverted block starts (a multiple of m). */
  private next = 0;
  private leftover = new Uint8Array(0);
  private ended = false;

  constructor(private readonly blockMs = 100) {}

  get sampleRate(): number {
    return this.rate;
  }

  /** Feeds WAV bytes; returns whatever μ-law is ready (possibly empty). */
  push(bytes: Uint8Array): Uint8Array {
    if (this.ended) throw new WavStreamError('WAV_ERR_INVALID_ARGUMENT', 'push after end');
    let data = bytes;
    if (this.rate === 0) {
      const joined = new Uint8Array(this.header.length + bytes.length);
      joined.set(this.header);
      joined.set(bytes, this.header.length);
      const start = this.parseHeader(joined);
      if (start < 0) {
        this.header = joined;
        return new Uint8Array(0);
      }
      this.header = new Uint8Array(0);
      data = joined.subarray(start);
    }
    this.appendSamples(data);
    return this.convert(false);
  }

  /** The input ended: converts the tail. */
  end(): Uint8Array {
    if (this.ended) return new Uint8Array(0);
    this.ended = true;
    if (this.rate === 0) {
      if (this.header.length === 0) return new Uint8Array(0);
      throw new WavStreamError('WAV_ERR_TRUNCATED', `stream ended inside the WAV header (${this.header.length} bytes)`);
    }
    return this.convert(true);
  }

  /** Returns where the sample data starts, or -1 when more header bytes are needed. */
  private parseHeader(buf: Uint8Array): number {
    if (buf.length < 12) return -1;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const tag = (at: number): string => String.fromCharCode(buf[at] ?? 0, buf[at + 1] ?? 0, buf[at + 2] ?? 0, buf[at + 3] ?? 0);
    if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavStreamError('WAV_ERR_NOT_RIFF');
    let at = 12;
    let fmt: { rate: number; channels: number } | undefined;
    while (at + 8 <= buf.length) {
      const id = tag(at);
      const size = view.getUint32(at + 4, true);
      if (id === 'data') {
        if (!fmt) throw new WavStreamError('WAV_ERR_NO_FMT', 'data chunk before fmt chunk');
        this.channels = fmt.channels;
        this.setRate(fmt.rate);
        return at + 8; // the size field is a placeholder in streamed WAV; the data runs to the end
      }
      if (at + 8 + size > buf.length) return -1;
      if (id === 'fmt ') {
        const format = view.getUint16(at + 8, true);
        const channels = view.getUint16(at + 10, true);
        const rate = view.getUint32(at + 12, true);
        const bits = view.getUint16(at + 22, true);
        if (format !== 1 || bits !== 16 || channels < 1 || rate < 1) {
          throw new WavStreamError('WAV_ERR_UNSUPPORTED_FORMAT', `format ${format}, ${bits} bits, ${channels} channels; need PCM16`);
        }
        fmt = { rate, channels };
      }
      at += 8 + size + (size & 1);
    }
    return -1;
  }

  private setRate(rate: number): void {
    this.rate = rate;
    const g = gcd(rate, OUT_RATE);
    this.m = rate / g;
    this.l = OUT_RATE / g;
    const reach = Math.ceil(24 / (0.92 * Math.min(1, OUT_RATE / rate))) + 2; // covers @tva/audio's 24-zero-crossing filter
    this.context = Math.ceil(reach / this.m) * this.m;
    this.block = Math.max(1, Math.round((rate * this.blockMs) / 1000 / this.m)) * this.m;
  }

  private appendSamples(data: Uint8Array): void {
    let bytes = data;
    if (this.leftover.length > 0) {
      bytes = new Uint8Array(this.leftover.length + data.length);
      bytes.set(this.leftover);
      bytes.set(data, this.leftover.length);
    }
    const frameBytes = 2 * this.channels;
    const frames = Math.floor(bytes.length / frameBytes);
    const usable = frames * frameBytes;
    this.leftover = bytes.slice(usable); // pipes split reads anywhere, even inside a sample
    const view = new DataView(bytes.buffer, bytes.byteOffset, usable);
    const grown = new Int16Array(this.pcm.length + frames);
    grown.set(this.pcm);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < this.channels; c++) sum += view.getInt16((f * this.channels + c) * 2, true);
      grown[this.pcm.length + f] = Math.round(sum / this.channels);
    }
    this.pcm = grown;
    this.total += frames;
  }

  private convert(final: boolean): Uint8Array {
    const parts: Uint8Array[] = [];
    const perBlock = (this.block / this.m) * this.l;
    while (this.next + this.block + this.context <= this.total) parts.push(this.convertBlock(this.block, perBlock));
    if (final && this.next < this.total) {
      const outLeft = Math.ceil((this.total * this.l) / this.m - 1e-9) - (this.next / this.m) * this.l;
      parts.push(this.convertBlock(this.total - this.next, outLeft));
    }
    if (parts.length === 1) return parts[0] as Uint8Array;
    const size = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Converts `length` input samples from `next` into `count` output samples. */
  private convertBlock(length: number, count: number): Uint8Array {
    const sliceStart = Math.max(0, this.next - this.context);
    const sliceEnd = Math.min(this.total, this.next + length + this.context);
    const slice = this.pcm.subarray(sliceStart - this.base, sliceEnd - this.base);
    const pcm8k = this.rate === OUT_RATE ? slice : resample(slice, this.rate, OUT_RATE);
    const skip = ((this.next - sliceStart) / this.m) * this.l;
    const out = encodeMulaw(pcm8k.subarray(skip, skip + count));
    this.next += length;
    const keepFrom = Math.max(0, this.next - this.context);
    if (keepFrom > this.base) {
      this.pcm = this.pcm.slice(keepFrom - this.base);
      this.base = keepFrom;
    }
    return out;
  }
}
