// Checks the per-call token from `start` and refuses replays: each token opens at most one stream.
import { verifyCallToken, type CallTokenProblem } from '@tva/security';

const MAX_AGE_MS = 5 * 60_000;

export class CallTokenCheck {
  private readonly used = new Map<string, number>();

  constructor(private readonly secret: string) {}

  /** null when the stream may go on; else why not (a code for the log line). */
  check(callSid: string, params: Record<string, string>, now = Date.now()): CallTokenProblem | 'CALL_TOKEN_REPLAYED' | 'CALL_TOKEN_WRONG_CALL' | null {
    if (params['call_sid'] !== undefined && params['call_sid'] !== callSid) return 'CALL_TOKEN_WRONG_CALL';
    const token = params['call_token'];
    const problem = verifyCallToken(this.secret, callSid, token, { nowMs: now, maxAgeMs: MAX_AGE_MS });
    if (problem) return problem;
    const key = token as string;
    if (this.used.has(key)) return 'CALL_TOKEN_REPLAYED';
    this.used.set(key, now);
    for (const [k, at] of this.used) {
      if (now - at <= MAX_AGE_MS) break;
      this.used.delete(k);
    }
    return null;
  }
}
