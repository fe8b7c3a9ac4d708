// The providers' error catalogue and class: every STT, LLM and TTS failure has one of these codes.
import { createErrorClass } from '@tva/errors';

export const PROVIDER_ERRORS = {
  PROVIDER_AUTH: { message: 'the provider refused our credentials (401/403, bad key)' },
  PROVIDER_TIMEOUT: { message: 'the provider did not answer in time' },
  PROVIDER_CONNECTION: { message: 'the connection to the provider failed (refused, reset, dropped)' },
  PROVIDER_RATE_LIMIT: { message: 'the provider rate-limited us (429)' },
  PROVIDER_BAD_RESPONSE: { message: 'the provider answered something we cannot use' },
  PROVIDER_ABORTED: { message: 'our own AbortSignal fired (barge-in, hang-up)' },
  PROVIDER_UNAVAILABLE: { message: 'the provider is not configured or not installed on this machine' },
} as const;

/** Stable codes a caller can match on; `retryable` says whether trying again may help. */
export type ProviderErrorCode = keyof typeof PROVIDER_ERRORS;

export class ProviderError extends createErrorClass('ProviderError', PROVIDER_ERRORS) {
  readonly retryable: boolean;
  /** Which provider raised it, e.g. "azure-stt", "openai-llm". */
  readonly provider: string;
  /** The provider's own code or status, when it gave one (e.g. 401, "AuthenticationFailure"). */
  readonly providerCode: string | number | undefined;

  /** `detail` says what happened in this provider's words (the message is the catalogue's, then the detail). */
  constructor(
    provider: string,
    code: ProviderErrorCode,
    detail: string,
    opts: { retryable?: boolean; providerCode?: string | number; cause?: unknown } = {},
  ) {
    super(code, detail, { cause: opts.cause });
    this.provider = provider;
    this.retryable = opts.retryable ?? (code === 'PROVIDER_TIMEOUT' || code === 'PROVIDER_CONNECTION' || code === 'PROVIDER_RATE_LIMIT');
    this.providerCode = opts.providerCode;
  }
}
