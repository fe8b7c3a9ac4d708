// Turns still being computed after their webhook had to answer (Twilio's 15 s limit), found again by an unguessable id.
import { randomBytes } from 'node:crypto';

export const TIMED_OUT = Symbol('timed-out');

/** `p`'s value, or TIMED_OUT when it takes longer than `ms` (`p` goes on running). */
export function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms))));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface Pending<T> {
  callSid: string;
  work: Promise<T>;
  createdAt: number;
}

export class PendingTurns<T> {
  private readonly turns = new Map<string, Pending<T>>();

  /** Entries older than `maxAgeMs` are dropped; at most `maxTurns` are held (the oldest go first). */
  constructor(
    private readonly maxAgeMs: number,
    private readonly maxTurns = 1000,
  ) {}

  get size(): number {
    return this.turns.size;
  }

  add(callSid: string, work: Promise<T>): string {
    const now = Date.now();
    for (const [id, turn] of this.turns) {
      if (this.turns.size < this.maxTurns && now - turn.createdAt < this.maxAgeMs) break;
      this.turns.delete(id);
    }
    const id = randomBytes(12).toString('base64url');
    this.turns.set(id, { callSid, work, createdAt: now });
    return id;
  }

  /** The turn, only for the call that started it. */
  get(id: string | undefined, callSid: string): Pending<T> | undefined {
    const turn = id === undefined ? undefined : this.turns.get(id);
    return turn && turn.callSid === callSid && Date.now() - turn.createdAt < this.maxAgeMs ? turn : undefined;
  }

  delete(id: string): void {
    this.turns.delete(id);
  }
}
