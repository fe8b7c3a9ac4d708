// Recognizes a whole WAV recording (RECORD mode) with one continuous-recognition pass over a push stream.
import type * as SpeechSdk from 'microsoft-cognitiveservices-speech-sdk';
import { decodeWav, encodeMulaw, pcm16ToBytes, resample } from '@tva/audio';
import { ProviderError, type SttResult } from '../contracts';
import { abortedError, cancellationError, setupError, timeoutError } from './azure-errors';
import { type RecognizerOptions, createPushRecognizer, mulawFormat, resultLanguage } from './azure-recognizer';
import { sdkCall, settleWithin } from './settle-within';
import type { Sdk } from './speech-sdk';

export interface RecognizeFileOptions extends RecognizerOptions {
  /** Added to the recording's duration to bound the whole pass. */
  slackMs: number;
  closeTimeoutMs: number;
}

interface PreparedAudio {
  format: SpeechSdk.AudioStreamFormat;
  bytes: Uint8Array;
  durationMs: number;
}

/** μ-law 8 kHz stays μ-law (half the bytes); 8 or 16 kHz PCM stays PCM16; anything else becomes 16 kHz PCM16 mono. */
function prepare(sdk: Sdk, provider: string, wav: Uint8Array): PreparedAudio {
  let decoded;
  try {
    decoded = decodeWav(wav);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ProviderError(provider, 'PROVIDER_BAD_RESPONSE', `${provider}: not a WAV file it can read: ${String(err)}`, { retryable: false, providerCode: code, cause: err });
  }
  const { samples, sampleRate, format } = decoded;
  if (format === 'mulaw' && sampleRate === 8000) {
    return { format: mulawFormat(sdk), bytes: encodeMulaw(samples), durationMs: samples.length / 8 };
  }
  const rate = sampleRate === 8000 || sampleRate === 16000 ? sampleRate : 16000;
  const pcm = rate === sampleRate ? samples : resample(samples, sampleRate, rate);
  return { format: sdk.AudioStreamFormat.getWaveFormatPCM(rate, 16, 1), bytes: pcm16ToBytes(pcm), durationMs: (pcm.length * 1000) / rate };
}

export async function recognizeWav(sdk: Sdk, opts: RecognizeFileOptions, wav: Uint8Array, signal: AbortSignal): Promise<SttResult> {
  const { provider } = opts;
  if (signal.aborted) throw abortedError(provider);
  const audio = prepare(sdk, provider, wav);
  let made;
  try {
    made = createPushRecognizer(sdk, opts, audio.format);
  } catch (err) {
    throw setupError(provider, err);
  }
  const { recognizer, push } = made;
  const finals: string[] = [];
  let language: string | undefined;
  const limitMs = audio.durationMs + opts.slackMs;

  const outcome = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError(provider, 'no complete transcript', limitMs)), limitMs);
    const onAbort = () => reject(abortedError(provider));
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (err?: ProviderError) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    recognizer.recognized = (_s, e) => {
      if (e.result.reason !== sdk.ResultReason.RecognizedSpeech || !e.result.text) return;
      finals.push(e.result.text);
      language ??= resultLanguage(e.result, opts.languages);
    };
    recognizer.canceled = (_s, e) => {
      if (e.reason === sdk.CancellationReason.EndOfStream) return finish();
      finish(cancellationError(provider, sdk.CancellationErrorCode[e.errorCode] ?? String(e.errorCode), e.errorDetails ?? ''));
    };
    // After the stream's end the service answers turn.end; the SDK then reports EndOfStream and sessionStopped.
    recognizer.sessionStopped = () => finish();
    recognizer.startContinuousRecognitionAsync(undefined, (e) => finish(cancellationError(provider, 'RuntimeError', e)));
  });

  // The SDK re-chunks into 100 ms messages; one write of the whole recording is fine.
  push.write(audio.bytes.slice().buffer);
  push.close();
  try {
    await outcome;
  } finally {
    await settleWithin(sdkCall((cb, err) => recognizer.close(cb, err)), opts.closeTimeoutMs);
  }
  return language === undefined ? { text: finals.join(' ') } : { text: finals.join(' '), language };
}
