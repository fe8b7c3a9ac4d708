// Finds "speech" in the audio a fake recognizer receives: 10 ms frames over an energy threshold, ended by silence.
import { MULAW_DECODE_TABLE } from '@tva/audio';

/** What the client's 44-byte WAV header says (format tag 7 = μ-law, 1 = PCM). */
export interface WireAudioFormat {
  formatTag: number;
  sampleRate: number;
  bitsPerSample: number;
}

export type SegmentEvent =
  | { type: 'start'; offsetMs: number }
  | { type: 'progress'; offsetMs: number; durationMs: number }
  | { type: 'end'; offsetMs: number; durationMs: number };

export interface SegmenterOptions {
  silenceMs: number;
  /** Mean absolute amplitude (int16 scale) above which a 10 ms frame counts as speech. */
  threshold: number;
  /** How often (audio ms of speech) to report progress, i.e. emit a hypothesis. */
  progressEveryMs: number;
}

export function parseWavHeader(header: Uint8Array): WireAudioFormat | undefined {
  if (header.length < 36) return undefined;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  return { formatTag: view.getUint16(20, true), sampleRate: view.getUint32(24, true), bitsPerSample: view.getUint16(34, true) };
}

export class SpeechSegmenter {
  private format: WireAudioFormat = { formatTag: 7, sampleRate: 8000, bitsPerSample: 8 };
  private carry = new Uint8Array(0);
  private audioMs = 0;
  private speechStartMs: number | undefined;
  private lastVoicedMs = 0;
  private lastProgressMs = 0;

  constructor(private readonly opts: SegmenterOptions) {}

  setFormat(format: WireAudioFormat): void {
    this.format = format;
  }

  get inSpeech(): boolean {
    return this.speechStartMs !== undefined;
  }

  /** Audio time received so far, in ms. */
  get positionMs(): number {
    return this.audioMs;
  }

  push(bytes: Uint8Array): SegmentEvent[] {
    const bytesPerSample = this.format.bitsPerSample / 8;
    const frameBytes = Math.max(1, Math.round(this.format.sampleRate / 100)) * bytesPerSample;
    const data = new Uint8Array(this.carry.length + bytes.length);
    data.set(this.carry);
    data.set(bytes, this.carry.length);
    const events: SegmentEvent[] = [];
    let at = 0;
    for (; at + frameBytes <= data.length; at += frameBytes) {
      this.frame(data.subarray(at, at + frameBytes), events);
    }
    this.carry = data.slice(at);
    return events;
  }

  /** Ends a segment in progress (the client ended the stream). */
  finish(): SegmentEvent | undefined {
    if (this.speechStartMs === undefined) return undefined;
    const start = this.speechStartMs;
    this.speechStartMs = undefined;
    return { type: 'end', offsetMs: start, durationMs: this.lastVoicedMs - start };
  }

  private frame(frame: Uint8Array, events: SegmentEvent[]): void {
    const voiced = this.meanAbs(frame) >= this.opts.threshold;
    this.audioMs += 10;
    if (voiced) {
      this.lastVoicedMs = this.audioMs;
      if (this.speechStartMs === undefined) {
        this.speechStartMs = this.audioMs - 10;
        this.lastProgressMs = this.audioMs;
        events.push({ type: 'start', offsetMs: this.speechStartMs });
      } else if (this.audioMs - this.lastProgressMs >= this.opts.progressEveryMs) {
        this.lastProgressMs = this.audioMs;
        events.push({ type: 'progress', offsetMs: this.speechStartMs, durationMs: this.audioMs - this.speechStartMs });
      }
      return;
    }
    if (this.speechStartMs !== undefined && this.audioMs - this.lastVoicedMs >= this.opts.silenceMs) {
      const end = this.finish();
      if (end) events.push(end);
    }
  }

  private meanAbs(frame: Uint8Array): number {
    let sum = 0;
    let n = 0;
    if (this.format.formatTag === 7) {
      for (const b of frame) sum += Math.abs(MULAW_DECODE_TABLE[b] as number);
      n = frame.length;
    } else if (this.format.bitsPerSample === 16) {
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      for (let i = 0; i + 1 < frame.length; i += 2) sum += Math.abs(view.getInt16(i, true));
      n = frame.length >> 1;
    } else {
      for (const b of frame) sum += Math.abs((b - 128) * 256); // 8-bit PCM is unsigned
      n = frame.length;
    }
    return n === 0 ? 0 : sum / n;
  }
}
