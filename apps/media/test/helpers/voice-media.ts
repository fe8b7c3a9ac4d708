// A media server running the real VoiceAgent with test doubles for speech: what the in-process voice tests share.
import type { Test } from 'tap';
import { createEnergyVad } from '@tva/audio';
import { createLogger } from '@tva/logging';
import { DtmfOnlySttProvider, speechLikeMulaw, type LlmProvider, type TtsProvider } from '@tva/providers';
import type { CallNotice } from '@tva/security';
import { PhraseCache } from '../../src/voice/phrase-cache';
import { VoiceAgent } from '../../src/voice/voice-agent';
import { startMediaServer, type MediaServerHarness } from './start-media-server';

export const GREETING = 'Hello.';
export const APOLOGY = 'Sorry, a small glitch.';

/** A TTS double: 20 ms of audio a character, in odd-sized pieces (as real TTS sends them), a little apart. */
export class PiecewiseTts implements TtsProvider {
  readonly name = 'piecewise-tts';
  readonly texts: string[] = [];
  constructor(private readonly sizes: readonly number[] = [997, 333, 1601, 77]) {}
  async *synthesize(text: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    this.texts.push(text);
    const audio = speechLikeMulaw(text.length * 20, 3000);
    for (let at = 0, i = 0; at < audio.length && !signal.aborted; i++) {
      const size = this.sizes[i % this.sizes.length] as number;
      yield audio.subarray(at, at + size);
      at += size;
      // why: pacing a simulated TTS stream (pieces arrive apart, as from the network); nothing to wait for.
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export interface VoiceMediaOptions {
  tts?: PiecewiseTts;
  transferNumber?: string;
  /** Receives what the agent reports to the call feed. */
  feed?: (notice: CallNotice) => void;
}

/** The greeting and apology are cached first, as the media worker does at start. */
export async function voiceMedia(t: Test, llm: LlmProvider, opts: VoiceMediaOptions = {}): Promise<{ media: MediaServerHarness; tts: PiecewiseTts }> {
  const tts = opts.tts ?? new PiecewiseTts();
  const phrases = new PhraseCache([tts], createLogger({ service: 'test', level: 'silent' }));
  await Promise.all([phrases.get(GREETING), phrases.get(APOLOGY)]);
  const media = await startMediaServer({
    createAgent: () =>
      new VoiceAgent({
        providers: { stt: new DtmfOnlySttProvider(), llm, tts },
        phrases,
        greeting: GREETING,
        apology: APOLOGY,
        createVad: () => createEnergyVad(),
        endSilenceMs: 300,
        minSpeechMs: 100,
        bargeInMs: 100,
        sttFinalTimeoutMs: 200,
        ttsTimeoutMs: 2000,
        transferNumber: opts.transferNumber,
        ...(opts.feed ? { feed: { push: opts.feed } } : {}),
      }),
  });
  t.teardown(() => media.close());
  return { media, tts };
}
