// Loads the Azure Speech SDK on first use and builds a SpeechConfig for a region or a custom host.
import type * as SpeechSdk from 'microsoft-cognitiveservices-speech-sdk';
import { ProviderError } from '../contracts';

export type Sdk = typeof SpeechSdk;

/** Where to reach the service: a region (Azure), or a host URL (a fake, a container, a custom endpoint). */
export interface AzureEndpointOptions {
  key: string;
  region?: string;
  /** e.g. "ws://127.0.0.1:PORT"; wins over `region`. Uses SpeechConfig.fromHost (keeps protocol, host and port). */
  host?: string;
}

let cached: Sdk | undefined;

/** The SDK module, required on first call: it is large and the media worker must start fast. */
export function speechSdk(provider: string): Sdk {
  try {
    cached ??= require('microsoft-cognitiveservices-speech-sdk') as Sdk;
  } catch (err) {
    throw new ProviderError(provider, 'PROVIDER_UNAVAILABLE', `${provider}: microsoft-cognitiveservices-speech-sdk is not installed`, { cause: err });
  }
  return cached;
}

export function speechConfigFor(sdk: Sdk, opts: AzureEndpointOptions & { provider: string }): SpeechSdk.SpeechConfig {
  if (!opts.key || (!opts.host && !opts.region)) {
    throw new ProviderError(opts.provider, 'PROVIDER_UNAVAILABLE', `${opts.provider}: needs a key and a region or host`);
  }
  // fromEndpoint with a bare URL makes the SDK fetch https://host:443/…; fromHost keeps the scheme and port.
  const config = opts.host ? sdk.SpeechConfig.fromHost(new URL(opts.host), opts.key) : sdk.SpeechConfig.fromSubscription(opts.key, opts.region as string);
  // With retries on, the SDK silently reconnects after a dropped socket and replays audio, without limit
  // (seen against the fake: 9 reconnects in 2.5 s, no event); with 0 a drop surfaces as canceled/ConnectionFailure
  // and a 401 costs one upgrade instead of five. The session owner decides whether to retry.
  config.setProperty('SPEECH-Error-MaxRetryCount', '0');
  return config;
}
