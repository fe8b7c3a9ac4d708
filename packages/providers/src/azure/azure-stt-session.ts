// One live Azure continuous-recognition session: μ-law in through a push stream, partials/finals/errors out.
import type * as SpeechSdk from 'microsoft-cognitiveservices-speech-sdk';
import type { ProviderError, SttSession, SttSessionEvents } from '../contracts';
import { abortedError, cancellationError, timeoutError } from './azure-errors';
import { type RecognizerOptions, createPushRecognizer, mulawFormat, resultLanguage } from './azure-recognizer';
import { sdkCall, settleWithin } from './settle-within';
import type { Sdk } from './speech-sdk';

export interface SttSessionOptions extends RecognizerOptions {
  initialConnectTimeoutMs: number;
  responseTimeoutMs: number;
  flushTimeoutMs: number;
  closeTimeoutMs: number;
}

export class AzureSttSession implements SttSession {
  private readonly recognizer: SpeechSdk.SpeechRecognizer;
  private readonly push: SpeechSdk.PushAudioInputStream;
  private started = false;
  private closing: Promise<void> | undefined;
  /** A partial arrived and its final has not yet. */
  private pending = false;
  private flushWaiters: (() => void)[] = [];
  private startSettle: ((err?: ProviderError) => void) | undefined;
  /** Armed by the first write; cleared by the first service message. */
  private responseTimer: NodeJS.Timeout | undefined;
  private heardFromService = false;
  private readonly onAbort = () => void this.close();

  constructor(
    private readonly sdk: Sdk,
    private readonly opts: SttSessionOptions,
    private readonly events: SttSessionEvents,
    private readonly signal: AbortSignal,
  ) {
    ({ recognizer: this.recognizer, push: this.push } = createPushRecognizer(sdk, opts, mulawFormat(sdk)));
    this.wire();
  }

  /** Starts recognition; resolves once the SDK reports sessionStarted (the WebSocket is open). */
  begin(): Promise<void> {
    const { provider, initialConnectTimeoutMs } = this.opts;
    if (this.signal.aborted) return Promise.reject(abortedError(provider));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.startSettle?.(timeoutError(provider, 'no session started', initialConnectTimeoutMs)), initialConnectTimeoutMs);
      this.startSettle = (err) => {
        this.startSettle = undefined;
        clearTimeout(timer);
        this.signal.removeEventListener('abort', onStartAbort);
        if (!err) {
          this.signal.addEventListener('abort', this.onAbort, { once: true });
          return resolve();
        }
        void this.close();
        reject(err);
      };
      const onStartAbort = () => this.startSettle?.(abortedError(provider));
      this.signal.addEventListener('abort', onStartAbort, { once: true });
      this.recognizer.startContinuousRecognitionAsync(undefined, (e) => this.startSettle?.(cancellationError(provider, 'RuntimeError', e)));
    });
  }

  write(mulaw: Uint8Array): void {
    if (this.closing || mulaw.length === 0) return;
    this.armResponseWatchdog();
    try {
      // Copy: the SDK keeps the ArrayBuffer, and a Buffer's .buffer may be a shared pool.
      this.push.write(new Uint8Array(mulaw).buffer);
    } catch {
      // write() never throws by contract; a dead stream shows up as canceled → onError
    }
  }

  flush(): Promise<void> {
    if (this.closing || !this.pending) return Promise.resolve();
    // Continuous recognition has no "finalize now": the service ends a phrase after segmentation silence,
    // which the caller's ongoing audio provides; wait for that final, bounded.
    return settleWithin(new Promise<void>((resolve) => this.flushWaiters.push(resolve)), this.opts.flushTimeoutMs);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** An open socket that never answers would otherwise mean silence for the whole call. */
  private armResponseWatchdog(): void {
    if (this.heardFromService || this.responseTimer || !this.started) return;
    const { provider, responseTimeoutMs } = this.opts;
    this.responseTimer = setTimeout(() => this.fail(timeoutError(provider, 'no answer to the audio', responseTimeoutMs)), responseTimeoutMs);
  }

  private fail(err: ProviderError): void {
    if (this.startSettle) return this.startSettle(err);
    if (this.closing) return;
    void this.close();
    this.events.onError?.(err);
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.responseTimer);
    this.signal.removeEventListener('abort', this.onAbort);
    this.releaseFlushWaiters();
    try {
      this.push.close();
    } catch {
      // already closed
    }
    // stop sends the end-of-stream audio and waits for turn.end; close disposes the connection.
    // Either can wait forever on a server that never answered, hence the bound.
    const { closeTimeoutMs } = this.opts;
    const stopAndClose = (async () => {
      if (this.started) await sdkCall((cb, err) => this.recognizer.stopContinuousRecognitionAsync(cb, err));
      await sdkCall((cb, err) => this.recognizer.close(cb, err));
    })();
    await settleWithin(stopAndClose, closeTimeoutMs);
  }

  private releaseFlushWaiters(): void {
    this.pending = false;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private wire(): void {
    const { sdk, recognizer, events, opts } = this;
    recognizer.sessionStarted = () => {
      this.started = true;
      this.startSettle?.();
    };
    recognizer.speechStartDetected = () => {
      if (!this.closing) events.onSpeechStart?.();
    };
    recognizer.recognizing = (_s, e) => {
      if (this.closing || !e.result.text) return;
      this.pending = true;
      events.onPartial?.({ text: e.result.text, language: resultLanguage(e.result, opts.languages) });
    };
    recognizer.recognized = (_s, e) => {
      if (this.closing) return;
      if (e.result.reason === sdk.ResultReason.RecognizedSpeech && e.result.text) {
        events.onFinal?.({ text: e.result.text, language: resultLanguage(e.result, opts.languages) });
      }
      this.releaseFlushWaiters(); // NoMatch also ends the pending phrase
    };
    recognizer.canceled = (_s, e) => {
      if (e.reason !== sdk.CancellationReason.Error) return; // EndOfStream: we asked for it
      this.fail(cancellationError(opts.provider, sdk.CancellationErrorCode[e.errorCode] ?? String(e.errorCode), e.errorDetails ?? ''));
    };
    sdk.Connection.fromRecognizer(recognizer).messageReceived = () => {
      this.heardFromService = true;
      clearTimeout(this.responseTimer);
    };
  }
}
