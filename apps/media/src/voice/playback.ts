// A call's outbound audio: packs whole 20 ms frames, sends a mark per chunk, and knows from the echoed marks what was heard.
import { FRAME_BYTES, Rechunker, mulawSilence } from '@tva/audio';

export interface PlaybackSink {
  /** Queue μ-law audio to the caller, followed by a mark with this name. */
  sendAudio(mulaw: Uint8Array, markName: string): void;
}

export interface PlaybackOptions {
  /** No chunk is smaller (the last of a sentence is padded with silence). Default 60 ms. */
  minChunkBytes?: number;
  /** Larger runs are split, so that marks say within this much what was heard. Default 200 ms. */
  maxChunkBytes?: number;
}

interface SentChunk {
  bytes: number;
  /** Twilio echoed the mark after playing it. */
  played: boolean;
}

// why: Twilio plays any size, but tiny chunks are reported to stutter; 60 ms keeps latency low and playback smooth.
const MIN_CHUNK_BYTES = 3 * FRAME_BYTES;
const MAX_CHUNK_BYTES = 10 * FRAME_BYTES;

/**
 * One per call. A `clear` (barge-in) makes Twilio echo every pending mark at once: those echoes are flushes, not
 * playback, so a clear settles every chunk sent before it as unplayed.
 */
export class Playback {
  private readonly pending = new Map<string, SentChunk>();
  private readonly minChunkBytes: number;
  private readonly maxChunkBytes: number;
  private drainWaiters: Array<() => void> = [];
  private seq = 0;
  private closed = false;

  constructor(
    private readonly sink: PlaybackSink,
    opts: PlaybackOptions = {},
  ) {
    this.minChunkBytes = opts.minChunkBytes ?? MIN_CHUNK_BYTES;
    this.maxChunkBytes = opts.maxChunkBytes ?? MAX_CHUNK_BYTES;
  }

  /** Starts what one speaker turn says (a reply, the greeting); what was heard is counted per utterance. */
  utterance(): Utterance {
    return new Utterance(this);
  }

  /** Audio sent and not yet echoed: the caller is (or will be) hearing us. */
  get playing(): boolean {
    return this.pending.size > 0;
  }

  /** Resolves when everything sent so far has played, been cleared, or the call is over. */
  drained(): Promise<void> {
    if (!this.playing || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Twilio echoed a mark. Returns true when it was one of ours. */
  markEchoed(name: string): boolean {
    const chunk = this.pending.get(name);
    if (!chunk) return false;
    chunk.played = true;
    this.pending.delete(name);
    if (!this.playing) this.settleDrained();
    return true;
  }

  /** We sent `clear`: everything still queued at Twilio is dropped unheard. */
  clear(): void {
    this.pending.clear();
    this.settleDrained();
  }

  /** The stream is over: no mark will come back. */
  close(): void {
    this.closed = true;
    this.clear();
  }

  /** @internal Sends one packed chunk with its mark. */
  send(audio: Uint8Array): SentChunk | undefined {
    if (this.closed) return undefined;
    this.seq += 1;
    const name = `a${this.seq}`;
    const chunk: SentChunk = { bytes: audio.length, played: false };
    this.pending.set(name, chunk);
    this.sink.sendAudio(audio, name);
    return chunk;
  }

  /** @internal */
  pack(): Packer {
    return new Packer(this.minChunkBytes, this.maxChunkBytes);
  }

  private settleDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Whole 20 ms frames, sent in runs of min..max bytes; the tail is padded with μ-law silence to at least the minimum. */
class Packer {
  private readonly frames = new Rechunker(FRAME_BYTES);
  private held: Uint8Array[] = [];
  private heldBytes = 0;

  constructor(
    private readonly minBytes: number,
    private readonly maxBytes: number,
  ) {}

  /** The chunks ready to send after these bytes. */
  push(bytes: Uint8Array): Uint8Array[] {
    for (const frame of this.frames.push(bytes)) {
      this.held.push(frame);
      this.heldBytes += frame.length;
    }
    const out: Uint8Array[] = [];
    while (this.heldBytes >= this.maxBytes) out.push(this.take(this.maxBytes / FRAME_BYTES));
    if (this.heldBytes >= this.minBytes) out.push(this.take(this.held.length));
    return out;
  }

  /** Everything left, padded; null when nothing is. */
  flush(): Uint8Array | null {
    const tail = this.frames.flush();
    if (tail) {
      this.held.push(tail);
      this.heldBytes += tail.length;
    }
    if (this.heldBytes === 0) return null;
    const out = mulawSilence(Math.max(this.heldBytes, this.minBytes));
    out.set(this.take(this.held.length));
    return out;
  }

  private take(count: number): Uint8Array {
    const parts = this.held.splice(0, count);
    const out = Buffer.concat(parts);
    this.heldBytes -= out.length;
    return out;
  }
}

/** What one speaker turn says, sentence by sentence; stop() drops anything sent later (barge-in). */
export class Utterance {
  private readonly sentences: Sentence[] = [];
  private stopped = false;

  constructor(private readonly playback: Playback) {}

  /** Starts a sentence; push its audio as it arrives, then end() it. */
  sentence(text: string): Sentence {
    const s = new Sentence(text, this.playback, () => this.stopped);
    this.sentences.push(s);
    return s;
  }

  /** A fixed phrase whose audio is all there (greeting, apology). */
  say(text: string, audio: Uint8Array): void {
    const s = this.sentence(text);
    s.push(audio);
    s.end();
  }

  stop(): void {
    this.stopped = true;
  }

  /** Milliseconds of this utterance's audio confirmed played (8 bytes a millisecond). */
  get playedMs(): number {
    return this.sentences.reduce((n, s) => n + s.playedBytes, 0) / 8;
  }

  /** Some audio sent was not (yet) confirmed played: after a clear, the caller missed it. */
  get unplayed(): boolean {
    return this.sentences.some((s) => s.playedBytes < s.sentBytes);
  }

  /** Bytes sent to the caller so far. */
  get sentBytes(): number {
    return this.sentences.reduce((n, s) => n + s.sentBytes, 0);
  }

  /**
   * The text the caller heard: whole sentences whose audio all played, plus the heard share of a partly played one,
   * cut at a word boundary and marked with "…".
   */
  heardText(): string {
    const parts: string[] = [];
    for (const s of this.sentences) {
      const played = s.playedBytes;
      if (s.sentBytes === 0 || played === 0) continue;
      if (played >= s.sentBytes) {
        parts.push(s.text);
        continue;
      }
      const words = s.text.split(/\s+/).filter(Boolean);
      const keep = Math.floor((words.length * played) / s.sentBytes);
      if (keep > 0) parts.push(`${words.slice(0, keep).join(' ')}…`);
    }
    return parts.join(' ');
  }
}

export class Sentence {
  private readonly chunks: SentChunk[] = [];
  private readonly packer: Packer;

  constructor(
    readonly text: string,
    private readonly playback: Playback,
    private readonly stopped: () => boolean,
  ) {
    this.packer = playback.pack();
  }

  get sentBytes(): number {
    return this.chunks.reduce((n, c) => n + c.bytes, 0);
  }

  get playedBytes(): number {
    return this.chunks.reduce((n, c) => n + (c.played ? c.bytes : 0), 0);
  }

  /** Adds synthesized audio; whole chunks go out at once. */
  push(audio: Uint8Array): void {
    for (const chunk of this.packer.push(audio)) this.sendChunk(chunk);
  }

  /** Sends what is left of the sentence. */
  end(): void {
    const last = this.packer.flush();
    if (last) this.sendChunk(last);
  }

  private sendChunk(audio: Uint8Array): void {
    if (this.stopped()) return;
    const sent = this.playback.send(audio);
    if (sent) this.chunks.push(sent);
  }
}
