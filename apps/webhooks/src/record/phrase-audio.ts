// Fixed phrases synthesized once into pinned audio; until one is ready, callers get <Say> instead of waiting.
import { encodeWav } from '@tva/audio';
import { EVENTS, type Logger } from '@tva/logging';
import type { TtsProvider } from '@tva/providers';
import type { AudioStore } from './audio-store';
import { collectAudio } from './abortable';

export interface PhraseAudioOptions {
  /** One synthesis may take this long. Default 8000 ms. */
  timeoutMs?: number;
  /** A failed phrase is tried again only after this. Default 30 s. */
  retryAfterMs?: number;
  /** Distinct phrases kept (greeting, apology, prompts × languages). Default 64. */
  maxPhrases?: number;
}

export class PhraseAudio {
  private readonly ready = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly failedAt = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly retryAfterMs: number;
  private readonly maxPhrases: number;

  constructor(
    private readonly tts: TtsProvider,
    private readonly audio: AudioStore,
    private readonly log: Logger,
    opts: PhraseAudioOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 8000;
    this.retryAfterMs = opts.retryAfterMs ?? 30_000;
    this.maxPhrases = opts.maxPhrases ?? 64;
  }

  /** The audio id of a phrase when it is ready; otherwise starts synthesizing it (for next time) and returns undefined. */
  idFor(text: string): string | undefined {
    const id = this.ready.get(text);
    if (id === undefined) void this.warm(text);
    return id;
  }

  /** Synthesizes a phrase unless it is ready, in flight, recently failed, or the cache is full. Never rejects. */
  warm(text: string): Promise<void> {
    if (this.ready.has(text)) return Promise.resolve();
    const running = this.inflight.get(text);
    if (running) return running;
    const failed = this.failedAt.get(text);
    if (failed !== undefined && Date.now() - failed < this.retryAfterMs) return Promise.resolve();
    if (this.ready.size + this.inflight.size >= this.maxPhrases) return Promise.resolve();
    const p = this.synthesize(text).finally(() => this.inflight.delete(text));
    this.inflight.set(text, p);
    return p;
  }

  private async synthesize(text: string): Promise<void> {
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      const mulaw = await collectAudio(this.tts.synthesize(text, signal), signal);
      if (mulaw.length === 0) throw new Error('no audio');
      this.ready.set(text, this.audio.put(encodeWav(mulaw, { sampleRate: 8000, format: 'mulaw' }), { pinned: true }));
      this.failedAt.delete(text);
    } catch (err) {
      this.failedAt.set(text, Date.now());
      const e = err as { code?: string; message?: string };
      this.log.warn({ event: EVENTS.RECORD_PHRASE, provider: this.tts.name, code: e.code, err: e.message }, 'phrase synthesis failed; <Say> is used instead');
    }
  }
}
