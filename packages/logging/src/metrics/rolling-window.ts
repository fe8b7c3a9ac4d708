// Recent samples with their time: how many in the last minute, and a percentile over a recent window. For pm2's panel.

export class RollingWindow {
  private readonly at: number[] = [];
  private readonly values: number[] = [];

  /** Keeps samples for `spanMs`, at most `cap` of them (the oldest go first). */
  constructor(
    private readonly spanMs: number,
    private readonly cap = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  add(value: number): void {
    this.at.push(this.now());
    this.values.push(value);
    if (this.at.length > this.cap) this.drop(this.at.length - this.cap);
  }

  /** Samples added in the last `ms` (at most the window's span). */
  countSince(ms: number): number {
    this.prune();
    const from = this.now() - ms;
    let n = 0;
    for (let i = this.at.length - 1; i >= 0 && (this.at[i] as number) >= from; i--) n += 1;
    return n;
  }

  /** The p-th percentile (0–100, nearest rank) of the samples in the window; 0 when there are none. */
  percentile(p: number): number {
    this.prune();
    if (this.values.length === 0) return 0;
    const sorted = [...this.values].sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * sorted.length) - 1;
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
  }

  private prune(): void {
    const from = this.now() - this.spanMs;
    let n = 0;
    while (n < this.at.length && (this.at[n] as number) < from) n += 1;
    if (n > 0) this.drop(n);
  }

  private drop(n: number): void {
    this.at.splice(0, n);
    this.values.splice(0, n);
  }
}
