// The contract for remembering used call tokens, so that each token opens at most one stream (issue 10 adds Redis).

export interface UsedTokenStore {
  /**
   * Marks `token` used until `expiresAtMs` (after that the token is refused as expired anyway).
   * Resolves true when it had not been used (the stream may go on) and false for a replay. The token is recorded
   * before the promise resolves, so a crash right after cannot let it through again. Rejects when it cannot record.
   */
  claim(token: string, expiresAtMs: number): Promise<boolean>;
  close(): void;
}

/** Used tokens kept in memory only: for tests, and for several stores' shared bookkeeping. */
export class MemoryUsedTokenStore implements UsedTokenStore {
  /** token → expiresAtMs */
  protected readonly used = new Map<string, number>();

  constructor(protected readonly now: () => number = Date.now) {}

  get size(): number {
    return this.used.size;
  }

  claim(token: string, expiresAtMs: number): Promise<boolean> {
    try {
      return Promise.resolve(this.claimNow(token, expiresAtMs));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** The synchronous claim: true when `token` was free (and is now recorded). */
  protected claimNow(token: string, expiresAtMs: number): boolean {
    const at = this.now();
    const known = this.used.get(token);
    if (known !== undefined && known > at) return false;
    this.record(token, expiresAtMs);
    this.used.set(token, expiresAtMs);
    this.afterClaim();
    return true;
  }

  /** Persist the claim before it counts (throw to refuse it); the memory store has nothing to do. */
  protected record(_token: string, _expiresAtMs: number): void {}

  /** Housekeeping once a claim is recorded and remembered. */
  protected afterClaim(): void {}

  /** Forgets expired tokens; returns how many are left. */
  protected prune(): number {
    const at = this.now();
    for (const [token, expiresAt] of this.used) if (expiresAt <= at) this.used.delete(token);
    return this.used.size;
  }

  close(): void {}
}
