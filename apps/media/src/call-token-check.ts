// Checks the per-call token from `start` and refuses replays: each token opens at most one stream, across restarts.
import { CALL_TOKEN_MAX_AGE_MS, callTokenIssuedAtMs, verifyCallToken, type CallTokenCode } from '@tva/security';
import type { UsedTokenStore } from './used-token-store';

/** Every CALL_TOKEN_* code of @tva/security's catalogue: verifyCallToken's problems, a replay, a mismatched call_sid. */
export type CallTokenRefusal = CallTokenCode;

export class CallTokenCheck {
  constructor(
    private readonly secret: string,
    private readonly used: UsedTokenStore,
  ) {}

  /** null when the stream may go on (the token is then recorded as used); else why not (a code for the log line). */
  async check(callSid: string, params: Record<string, string>, now = Date.now()): Promise<CallTokenRefusal | null> {
    if (params['call_sid'] !== undefined && params['call_sid'] !== callSid) return 'CALL_TOKEN_WRONG_CALL';
    const token = params['call_token'];
    const problem = verifyCallToken(this.secret, callSid, token, { nowMs: now, maxAgeMs: CALL_TOKEN_MAX_AGE_MS });
    if (problem) return problem;
    // verified, so canonical: the used set is keyed on the one spelling that was signed
    const issuedAtMs = callTokenIssuedAtMs(token as string) as number;
    return (await this.used.claim(token as string, issuedAtMs + CALL_TOKEN_MAX_AGE_MS)) ? null : 'CALL_TOKEN_REPLAYED';
  }
}
