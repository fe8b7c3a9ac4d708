// Fixed phrases (greeting, apology) synthesized once per process and replayed instantly on every call.
import { encodeMulaw } from '@tva/audio';
import { ProviderError, type TtsProvider } from '@tva/providers';
import { EVENTS, type Logger } from '@tva/logging';
import type { MediaErrorCode } from '../media-errors';

/** A short 440 Hz beep pattern as μ-law: the last resort when no TTS works, so a caller never hears dead air. */
export function comfortTone(ms = 600): Uint8Array {
  const pcm = new Int16Array(ms * 8);
  for (let i = 0; i < pcm.length; i++) {
    const on = Math.floor(i / 1600) % 2 === 0;
    pcm[i] = on ? Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 8000)) : 0;
  }
  return encodeMulaw(pcm);
}

export class PhraseCache {
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  private readonly ready = new Map<string, Uint8Array>();

  /** `tts` in order of preference: the configured provider first, then fallbacks. */
  constructor(
    private readonly tts: readonly TtsProvider[],
    private readonly log: Logger,
    private readonly timeoutMs = 8000,
  ) {}

  get(text: string): Promise<Uint8Array> {
    let p = this.cache.get(text);
    if (!p) {
      p = this.synthesize(text);
      this.cache.set(text, p);
      // why: a failure is not cached for good — the next call tries the providers again.
      p.then(
        (audio) => (audio === FALLBACK ? this.cache.delete(text) : this.ready.set(text, audio)),
        () => this.cache.delete(text),
      );
    }
    return p;
  }

  /** The audio at once when it is cached (why: the greeting must go out in the same tick as `start`, before any key press). */
  peek(text: string): Uint8Array | undefined {
    return this.ready.get(text);
  }

  private async synthesize(text: string): Promise<Uint8Array> {
    for (const provider of this.tts) {
      const signal = AbortSignal.timeout(this.timeoutMs);
      try {
        const parts: Uint8Array[] = [];
        for await (const chunk of provider.synthesize(text, signal)) parts.push(chunk);
        const audio = Buffer.concat(parts);
        if (audio.length > 0) return audio;
      } catch (err) {
        this.log.warn({ event: EVENTS.PHRASE_CACHE, provider: provider.name, code: err instanceof ProviderError ? err.code : undefined, err: (err as Error).message }, 'phrase synthesis failed; trying the next provider');
      }
    }
    this.log.error({ event: EVENTS.PHRASE_CACHE, code: 'MEDIA_ERR_NO_TTS' satisfies MediaErrorCode }, 'no TTS could speak a fixed phrase; using a tone');
    return FALLBACK;
  }
}

const FALLBACK = comfortTone();
