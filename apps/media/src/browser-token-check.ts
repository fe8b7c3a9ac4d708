// Checks the softphone's one-time token from `start` (instead of a Twilio signature) and refuses its replay.
import { callTokenIssuedAtMs, SOFTPHONE_TOKEN_MAX_AGE_MS, verifySoftphoneToken, type CallTokenCode } from '@tva/security';
import type { UsedTokenStore } from './used-token-store';

/** The customParameters key the softphone puts its token under (the same as a Twilio call's). */
export const SOFTPHONE_TOKEN_PARAM = 'call_token';

export class BrowserTokenCheck {
  constructor(
    private readonly secret: string,
    private readonly used: UsedTokenStore,
  ) {}

  /** null when the browser stream may go on (the token is then recorded as used, in the same store as call tokens). */
  async check(callSid: string, params: Record<string, string>, now = Date.now()): Promise<CallTokenCode | null> {
    const token = params[SOFTPHONE_TOKEN_PARAM];
    const problem = verifySoftphoneToken(this.secret, callSid, token, now);
    if (problem) return problem;
    // why: a softphone token and a call token never share a spelling (different signed scope), so one store serves both.
    const issuedAtMs = callTokenIssuedAtMs(token as string) as number;
    return (await this.used.claim(token as string, issuedAtMs + SOFTPHONE_TOKEN_MAX_AGE_MS)) ? null : 'CALL_TOKEN_REPLAYED';
  }
}
