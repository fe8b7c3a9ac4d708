// Builds a SpeechRecognizer fed by a push stream: one language, or auto-detection among several.
import type * as SpeechSdk from 'microsoft-cognitiveservices-speech-sdk';
import { type AzureEndpointOptions, type Sdk, speechConfigFor } from './speech-sdk';

export interface RecognizerOptions extends AzureEndpointOptions {
  provider: string;
  languages: string[];
  segmentationSilenceMs?: number;
  /** Let the SDK reconnect silently after a drop (replaying unacknowledged audio) instead of reporting it. */
  sdkReconnect?: boolean;
}

export interface PushRecognizer {
  recognizer: SpeechSdk.SpeechRecognizer;
  push: SpeechSdk.PushAudioInputStream;
}

/** 8 kHz μ-law straight from Twilio: the SDK sends a WAV header with format tag 7 and the service decodes. */
export function mulawFormat(sdk: Sdk): SpeechSdk.AudioStreamFormat {
  return sdk.AudioStreamFormat.getWaveFormat(8000, 8, 1, sdk.AudioFormatTag.MuLaw);
}

export function createPushRecognizer(sdk: Sdk, opts: RecognizerOptions, format: SpeechSdk.AudioStreamFormat): PushRecognizer {
  const config = speechConfigFor(sdk, opts);
  if (opts.sdkReconnect) config.setProperty('SPEECH-Error-MaxRetryCount', '4'); // the SDK's own default
  if (opts.segmentationSilenceMs !== undefined) {
    config.setProperty(sdk.PropertyId.Speech_SegmentationSilenceTimeoutMs, String(opts.segmentationSilenceMs));
  }
  const push = sdk.AudioInputStream.createPushStream(format);
  const audio = sdk.AudioConfig.fromStreamInput(push);
  const languages = opts.languages.length > 0 ? opts.languages : ['he-IL'];
  if (languages.length === 1) {
    config.speechRecognitionLanguage = languages[0] as string;
    return { recognizer: new sdk.SpeechRecognizer(config, audio), push };
  }
  const autoDetect = sdk.AutoDetectSourceLanguageConfig.fromLanguages(languages);
  // Continuous re-detects per phrase (Hebrew and English in one call). With a region this moves the SDK to
  // /stt/speech/universal/v2; fromHost keeps /speech/recognition/conversation/cognitiveservices/v1.
  autoDetect.mode = sdk.LanguageIdMode.Continuous;
  return { recognizer: sdk.SpeechRecognizer.FromConfig(config, autoDetect, audio), push };
}

/** The language the service reported for a result, else the only configured one. */
export function resultLanguage(result: SpeechSdk.SpeechRecognitionResult, languages: readonly string[]): string | undefined {
  const reported = result.language;
  if (reported) return reported;
  return languages.length === 1 ? languages[0] : undefined;
}
