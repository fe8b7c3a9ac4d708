// Maps Azure Speech SDK cancellations and failures to ProviderError codes.
import { ProviderError, type ProviderErrorCode } from '../contracts';

interface Mapping {
  code: ProviderErrorCode;
  retryable: boolean;
}

// Keyed by the SDK's CancellationErrorCode names.
const BY_SDK_CODE: Record<string, Mapping> = {
  AuthenticationFailure: { code: 'PROVIDER_AUTH', retryable: false },
  Forbidden: { code: 'PROVIDER_RATE_LIMIT', retryable: false }, // the SDK's text: "free subscription ran out of quota"
  TooManyRequests: { code: 'PROVIDER_RATE_LIMIT', retryable: true },
  ConnectionFailure: { code: 'PROVIDER_CONNECTION', retryable: true },
  ServiceTimeout: { code: 'PROVIDER_TIMEOUT', retryable: true },
  ServiceError: { code: 'PROVIDER_BAD_RESPONSE', retryable: true },
  ServiceRedirectTemporary: { code: 'PROVIDER_CONNECTION', retryable: true },
  ServiceRedirectPermanent: { code: 'PROVIDER_CONNECTION', retryable: false },
  BadRequestParameters: { code: 'PROVIDER_BAD_RESPONSE', retryable: false },
  RuntimeError: { code: 'PROVIDER_BAD_RESPONSE', retryable: true },
};

function byHttpStatus(status: number): Mapping {
  if (status === 401 || status === 403) return { code: 'PROVIDER_AUTH', retryable: false };
  if (status === 429) return { code: 'PROVIDER_RATE_LIMIT', retryable: true };
  if (status === 408) return { code: 'PROVIDER_TIMEOUT', retryable: true };
  return { code: 'PROVIDER_CONNECTION', retryable: status >= 500 };
}

/** A refused upgrade reaches us only as text: "Unable to contact server. StatusCode: 1006 … Unexpected server response: 401". */
export function httpStatusIn(details: string): number | undefined {
  const match = /Unexpected server response: (\d{3})/.exec(details);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function cancellationError(provider: string, sdkCode: string, details: string): ProviderError {
  const status = httpStatusIn(details);
  const mapping = status !== undefined ? byHttpStatus(status) : BY_SDK_CODE[sdkCode] ?? { code: 'PROVIDER_BAD_RESPONSE', retryable: false };
  const message = `${provider}: ${sdkCode}${details ? `: ${details.replace(/\s+/g, ' ').trim()}` : ''}`;
  return new ProviderError(provider, mapping.code, message, { retryable: mapping.retryable, providerCode: status ?? sdkCode });
}

export function timeoutError(provider: string, what: string, ms: number): ProviderError {
  return new ProviderError(provider, 'PROVIDER_TIMEOUT', `${provider}: ${what} within ${ms} ms`);
}

export function abortedError(provider: string): ProviderError {
  return new ProviderError(provider, 'PROVIDER_ABORTED', `${provider}: aborted`, { retryable: false });
}

/** Building SDK objects failed (bad options, SDK missing): nothing to retry. */
export function setupError(provider: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError(provider, 'PROVIDER_UNAVAILABLE', `${provider}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
