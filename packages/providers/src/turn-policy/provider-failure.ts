// How both modes report a failed provider: one ProviderError shape and one PROVIDER_ERROR log line.
import { EVENTS, type Logger } from '@tva/logging';
import { ProviderError } from '../contracts';

/** `err` as a ProviderError; anything else a provider threw counts as a bad response of that stage. */
export function providerFailure(err: unknown, stage: string): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError(stage, 'PROVIDER_BAD_RESPONSE', err instanceof Error ? err.message : String(err), { cause: err });
}

/** Logs the failure at warn (a provider's fault is not ours) with its stable code; returns the code. */
export function logProviderFailure(log: Logger, err: unknown, stage: string, fields: Record<string, unknown> = {}): string {
  const e = providerFailure(err, stage);
  log.warn(
    { event: EVENTS.PROVIDER_ERROR, ...fields, stage, provider: e.provider, code: e.code, providerCode: e.providerCode, retryable: e.retryable, err: e.message },
    `${e.provider} failed at ${stage}`,
  );
  return e.code;
}
