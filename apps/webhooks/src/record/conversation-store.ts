// Per-call conversation history, shared by the streaming path and RECORD mode (in memory, TTL and bounded).
import type { ConversationTurn } from '@tva/security';

export type { ConversationTurn };

export interface ConversationStore {
  get(callSid: string): ConversationTurn[];
  set(callSid: string, history: ConversationTurn[]): void;
}

export interface MemoryConversationStoreOptions {
  /** A call's history is forgotten this long after its last write. Default 1 h. */
  ttlMs?: number;
  /** Most calls kept; the least recently written goes first. Default 10 000. */
  maxCalls?: number;
  /** Most turns kept per call (the oldest are dropped). Default 200. */
  maxTurns?: number;
  now?: () => number;
}

export class MemoryConversationStore implements ConversationStore {
  private readonly calls = new Map<string, { history: ConversationTurn[]; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxCalls: number;
  private readonly maxTurns: number;
  private readonly now: () => number;

  constructor(opts: MemoryConversationStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 60 * 60 * 1000;
    this.maxCalls = opts.maxCalls ?? 10_000;
    this.maxTurns = opts.maxTurns ?? 200;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.calls.size;
  }

  /** A copy of the call's history; [] when unknown or expired. */
  get(callSid: string): ConversationTurn[] {
    const entry = this.calls.get(callSid);
    if (!entry) return [];
    if (entry.expiresAt <= this.now()) {
      this.calls.delete(callSid);
      return [];
    }
    return entry.history.map((t) => ({ ...t }));
  }

  set(callSid: string, history: ConversationTurn[]): void {
    this.calls.delete(callSid); // why: re-inserting moves the call to the end of Map order, which is our LRU order
    const kept = history.slice(-this.maxTurns).map((t) => ({ role: t.role, content: t.content, ...(t.interrupted ? { interrupted: true } : {}) }));
    this.calls.set(callSid, { history: kept, expiresAt: this.now() + this.ttlMs });
    this.evict();
  }

  private evict(): void {
    const now = this.now();
    for (const [sid, entry] of this.calls) {
      if (this.calls.size <= this.maxCalls && entry.expiresAt > now) break;
      this.calls.delete(sid);
    }
  }
}
