// Turns whatever the openai SDK (or the stream under it) throws into a ProviderError with a stable code.

import type * as OpenAiModule from 'openai';

import { ProviderError } from '../contracts';

export const OPENAI_LLM = 'openai-llm';

/** The network-level code of an error's cause chain (ECONNREFUSED, UND_ERR_SOCKET, ...), if any. */
function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function mapOpenAiError(sdk: typeof OpenAiModule, err: unknown, provider = OPENAI_LLM): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof sdk.APIUserAbortError) {
    return new ProviderError(provider, 'PROVIDER_ABORTED', 'request aborted', { cause: err });
  }
  if (err instanceof sdk.APIConnectionTimeoutError) {
    return new ProviderError(provider, 'PROVIDER_TIMEOUT', `OpenAI request timed out: ${err.message}`, { cause: err });
  }
  if (err instanceof sdk.APIConnectionError) {
    const code = causeCode(err.cause);
    return new ProviderError(provider, 'PROVIDER_CONNECTION', `cannot reach the LLM endpoint: ${messageOf(err.cause ?? err)}`, {
      cause: err,
      ...(code ? { providerCode: code } : {}),
    });
  }
  if (err instanceof sdk.APIError) {
    const status = err.status;
    const detail = `OpenAI answered ${err.message}`;
    const opts = { cause: err, ...(status !== undefined ? { providerCode: status } : {}) };
    if (status === undefined) {
      // An error event inside an otherwise healthy stream: the service gave up mid-answer.
      return new ProviderError(provider, 'PROVIDER_BAD_RESPONSE', detail, { ...opts, retryable: true, providerCode: err.code ?? undefined });
    }
    if (status === 401 || status === 403) return new ProviderError(provider, 'PROVIDER_AUTH', detail, opts);
    if (status === 429) {
      // Why: "insufficient_quota" is a billing stop, not a burst limit; retrying cannot help.
      return new ProviderError(provider, 'PROVIDER_RATE_LIMIT', detail, { ...opts, retryable: err.code !== 'insufficient_quota' });
    }
    if (status === 408) return new ProviderError(provider, 'PROVIDER_TIMEOUT', detail, opts);
    if (status >= 500) return new ProviderError(provider, 'PROVIDER_CONNECTION', detail, { ...opts, retryable: true });
    return new ProviderError(provider, 'PROVIDER_BAD_RESPONSE', detail, opts);
  }
  if (err instanceof SyntaxError) {
    return new ProviderError(provider, 'PROVIDER_BAD_RESPONSE', `unreadable stream data: ${err.message}`, { cause: err });
  }
  // Anything else comes from the body stream under the SDK: undici's "terminated", ECONNRESET, ...
  const code = causeCode(err);
  return new ProviderError(provider, 'PROVIDER_CONNECTION', `LLM stream broke: ${messageOf(err)}`, {
    cause: err,
    ...(code ? { providerCode: code } : {}),
  });
}
