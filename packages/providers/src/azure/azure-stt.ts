// Azure speech-to-text behind the SttProvider contract: live μ-law sessions and whole-WAV recognition.
import type { SttProvider, SttResult, SttSession, SttSessionEvents } from '../contracts';
import { setupError } from './azure-errors';
import { recognizeWav } from './azure-recognize-file';
import { AzureSttSession } from './azure-stt-session';
import { type AzureEndpointOptions, speechSdk } from './speech-sdk';

export interface AzureSttOptions extends AzureEndpointOptions {
  /** BCP-47 codes. One → fixed language; more → continuous language auto-detection among them. Default ['he-IL']. */
  languages?: string[];
  /** Silence that ends a phrase (PropertyId.Speech_SegmentationSilenceTimeoutMs); the service default when unset. */
  segmentationSilenceMs?: number;
  /** start() rejects with PROVIDER_TIMEOUT when the session has not started by then. Default 5000. */
  initialConnectTimeoutMs?: number;
  /** After the first write, no message at all from the service by then → onError PROVIDER_TIMEOUT. Default 5000. */
  responseTimeoutMs?: number;
  /** Longest flush() waits for the pending final. Default 2000. */
  flushTimeoutMs?: number;
  /** Longest close() waits for the SDK to stop. Default 1500. */
  closeTimeoutMs?: number;
  /**
   * Default false: a dropped socket ends the session with onError PROVIDER_CONNECTION and the caller restarts it.
   * True restores the SDK's silent reconnect with audio replay (seen reconnecting without limit, never reporting).
   */
  sdkReconnect?: boolean;
  /** recognizeFile() gives up after the recording's duration plus this. Default 10000. */
  fileSlackMs?: number;
}

export class AzureSttProvider implements SttProvider {
  readonly name = 'azure-stt';
  private readonly opts: AzureSttOptions;

  constructor(opts: AzureSttOptions) {
    this.opts = { ...opts };
  }

  private get languages(): string[] {
    return this.opts.languages && this.opts.languages.length > 0 ? [...this.opts.languages] : ['he-IL'];
  }

  async start(events: SttSessionEvents, signal: AbortSignal): Promise<SttSession> {
    let session: AzureSttSession;
    try {
      session = new AzureSttSession(speechSdk(this.name), {
        ...this.opts,
        provider: this.name,
        languages: this.languages,
        initialConnectTimeoutMs: this.opts.initialConnectTimeoutMs ?? 5000,
        responseTimeoutMs: this.opts.responseTimeoutMs ?? 5000,
        flushTimeoutMs: this.opts.flushTimeoutMs ?? 2000,
        closeTimeoutMs: this.opts.closeTimeoutMs ?? 1500,
      }, events, signal);
    } catch (err) {
      throw setupError(this.name, err);
    }
    await session.begin();
    return session;
  }

  recognizeFile(audio: Uint8Array, signal: AbortSignal): Promise<SttResult> {
    return recognizeWav(speechSdk(this.name), {
      ...this.opts,
      provider: this.name,
      languages: this.languages,
      slackMs: this.opts.fileSlackMs ?? 10_000,
      closeTimeoutMs: this.opts.closeTimeoutMs ?? 1500,
    }, audio, signal);
  }
}
