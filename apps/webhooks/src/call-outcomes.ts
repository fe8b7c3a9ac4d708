// How each call's stream ended, as told by the media worker; stream_ended waits briefly for it.
import type { StreamOutcome } from '@tva/security';

export type { StreamOutcome };


const MAX_AGE_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;

export class CallOutcomes {
  private readonly byCall = new Map<string, { outcome: StreamOutcome; at: number }>();
  private readonly waiters = new Map<string, Array<(o: StreamOutcome) => void>>();

  set(outcome: StreamOutcome, now = Date.now()): void {
    this.byCall.set(outcome.callSid, { outcome, at: now });
    for (const resolve of this.waiters.get(outcome.callSid) ?? []) resolve(outcome);
    this.waiters.delete(outcome.callSid);
    // Map iterates in insertion order: the oldest entries go first.
    for (const [sid, entry] of this.byCall) {
      if (this.byCall.size <= MAX_ENTRIES && now - entry.at < MAX_AGE_MS) break;
      this.byCall.delete(sid);
    }
  }

  get(callSid: string): StreamOutcome | undefined {
    return this.byCall.get(callSid)?.outcome;
  }

  /** The outcome, waiting up to `timeoutMs` for it to arrive (the media worker reports right after the socket closes). */
  waitFor(callSid: string, timeoutMs: number): Promise<StreamOutcome | undefined> {
    const known = this.get(callSid);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const list = this.waiters.get(callSid) ?? [];
      const done = (o: StreamOutcome | undefined) => {
        clearTimeout(timer);
        resolve(o);
      };
      const timer = setTimeout(() => {
        const rest = (this.waiters.get(callSid) ?? []).filter((w) => w !== done);
        if (rest.length) this.waiters.set(callSid, rest);
        else this.waiters.delete(callSid);
        resolve(undefined);
      }, timeoutMs);
      list.push(done);
      this.waiters.set(callSid, list);
    });
  }
}
