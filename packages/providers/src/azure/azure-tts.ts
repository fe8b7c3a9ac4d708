// Azure text-to-speech behind the TtsProvider contract: 8 kHz μ-law chunks streamed as the service sends them.
import type * as SpeechSdk from 'microsoft-cognitiveservices-speech-sdk';
import type { ProviderError, TtsProvider } from '../contracts';
import { cancellationError, setupError, timeoutError } from './azure-errors';
import { ChunkQueue } from './chunk-queue';
import { sdkCall, settleWithin } from './settle-within';
import { type AzureEndpointOptions, speechConfigFor, speechSdk } from './speech-sdk';
import { buildSsml } from './ssml';

export interface AzureTtsOptions extends AzureEndpointOptions {
  /** Default 'he-IL-HilaNeural'. */
  voice?: string;
  /** Default 'he-IL'. */
  language?: string;
  /** Voice per language for synthesize(…, { language }); the default voice otherwise. */
  voices?: Record<string, string>;
  /** No audio by then → PROVIDER_TIMEOUT. Default 3000. */
  firstChunkTimeoutMs?: number;
  /** No further audio for this long mid-utterance → PROVIDER_TIMEOUT. Default 5000. */
  stallTimeoutMs?: number;
  /** After an abort, open the replacement connection at once so the next reply starts fast. Default true. */
  prewarm?: boolean;
}

/** One synthesizer (one WebSocket) and the request its audio currently belongs to. */
interface SynthSlot {
  synth: SpeechSdk.SpeechSynthesizer;
  onChunk: ((chunk: Uint8Array) => void) | undefined;
}

export class AzureTtsProvider implements TtsProvider {
  readonly name = 'azure-tts';
  private readonly opts: AzureTtsOptions;
  private readonly voice: string;
  private readonly language: string;
  private slot: SynthSlot | undefined;
  /** Requests run one at a time, in call order: the SDK queues speak calls on one connection anyway. */
  private tail: Promise<void> = Promise.resolve();

  constructor(opts: AzureTtsOptions) {
    this.opts = { ...opts };
    this.voice = opts.voice ?? 'he-IL-HilaNeural';
    this.language = opts.language ?? 'he-IL';
  }

  /** Starts at once (queued behind earlier calls); chunks wait in the iterable until pulled. */
  synthesize(text: string, signal: AbortSignal, opts?: { language?: string }): AsyncIterable<Uint8Array> {
    const queue = new ChunkQueue<Uint8Array>();
    const cancel = this.enqueue(text, signal, opts?.language, queue);
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => queue.next(),
        return: async () => {
          cancel(); // the consumer stopped early (break, throw): same as an abort
          return { value: undefined, done: true };
        },
      }),
    };
  }

  /** Opens a connection ahead of the first request. */
  warmUp(): void {
    try {
      const slot = this.currentSlot();
      speechSdk(this.name).Connection.fromSynthesizer(slot.synth).openConnection(undefined, () => undefined);
    } catch {
      // the first synthesize() will report it
    }
  }

  /** Releases the connection (shutdown, tests). Later calls open a new one. */
  async close(): Promise<void> {
    const slot = this.slot;
    this.slot = undefined;
    if (slot) await settleWithin(sdkCall((cb, err) => slot.synth.close(cb, err)), 1000);
  }

  private enqueue(text: string, signal: AbortSignal, language: string | undefined, queue: ChunkQueue<Uint8Array>): () => void {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const prev = this.tail;
    this.tail = prev.then(() => mine);
    let cancelled = false;
    let stopActive: (() => void) | undefined;
    const cancel = () => {
      if (cancelled) return;
      cancelled = true;
      signal.removeEventListener('abort', cancel);
      queue.end(true);
      stopActive?.();
      release(); // the next request still waits for `prev` through the chain
    };
    if (signal.aborted || text.trim() === '') {
      cancel();
      return cancel;
    }
    signal.addEventListener('abort', cancel, { once: true });
    void prev.then(() => {
      if (cancelled) return;
      const lang = language ?? this.language;
      const voice = lang === this.language ? this.voice : this.opts.voices?.[lang] ?? this.voice;
      stopActive = this.run(buildSsml(text, voice, lang), queue, () => {
        signal.removeEventListener('abort', cancel);
        release();
      });
    });
    return cancel;
  }

  /** Speaks one SSML document on the shared synthesizer; returns a function that abandons it. */
  private run(ssml: string, queue: ChunkQueue<Uint8Array>, finished: () => void): () => void {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let slot: SynthSlot | undefined;
    const settle = (err?: ProviderError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (slot) slot.onChunk = undefined;
      if (err === undefined) queue.end();
      else {
        if (slot) this.discard(slot); // recreate after an error: the connection state is unknown
        queue.fail(err);
      }
      finished();
    };
    try {
      const sdk = speechSdk(this.name);
      const active = (slot = this.currentSlot());
      const { firstChunkTimeoutMs = 3000, stallTimeoutMs = 5000 } = this.opts;
      timer = setTimeout(() => settle(timeoutError(this.name, 'no audio', firstChunkTimeoutMs)), firstChunkTimeoutMs);
      active.onChunk = (chunk) => {
        clearTimeout(timer);
        timer = setTimeout(() => settle(timeoutError(this.name, 'no further audio', stallTimeoutMs)), stallTimeoutMs);
        queue.push(chunk);
      };
      active.synth.speakSsmlAsync(
        ssml,
        (result) => {
          if (result.reason !== sdk.ResultReason.Canceled) return settle();
          const details = sdk.CancellationDetails.fromResult(result);
          settle(cancellationError(this.name, sdk.CancellationErrorCode[details.ErrorCode] ?? 'RuntimeError', details.errorDetails ?? ''));
        },
        (e) => settle(cancellationError(this.name, 'RuntimeError', e)),
      );
    } catch (err) {
      settle(setupError(this.name, err));
    }
    return () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (slot) {
        slot.onChunk = undefined;
        // JS has no stopSpeaking: closing is the only way to stop the audio, and the pending callback never fires.
        this.discard(slot);
        if (this.opts.prewarm ?? true) this.warmUp();
      }
      finished();
    };
  }

  private currentSlot(): SynthSlot {
    if (this.slot) return this.slot;
    const sdk = speechSdk(this.name);
    const config = speechConfigFor(sdk, { ...this.opts, provider: this.name });
    // Header-less μ-law that goes straight into Twilio media payloads.
    config.speechSynthesisOutputFormat = sdk.SpeechSynthesisOutputFormat.Raw8Khz8BitMonoMULaw;
    const slot: SynthSlot = { synth: new sdk.SpeechSynthesizer(config, null), onChunk: undefined };
    // `synthesizing` fires once per audio frame received, so chunks flow before the utterance ends.
    slot.synth.synthesizing = (_s, e) => slot.onChunk?.(new Uint8Array(e.result.audioData));
    this.slot = slot;
    return slot;
  }

  private discard(slot: SynthSlot): void {
    if (this.slot === slot) this.slot = undefined;
    // Not awaited: close() waits on a connection that may never have opened.
    void sdkCall((cb, err) => slot.synth.close(cb, err));
  }
}
