// A per-client fixed-window request limiter for the webhooks (pure: the caller passes the time).

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 50_000,
  ) {}

  /** True when this request is allowed. */
  allow(key: string, now: number): boolean {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      this.windows.delete(key);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      this.prune(now);
    }
    w.count += 1;
    return w.count <= this.limit;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) {
      if (this.windows.size <= this.maxKeys && now - w.start < this.windowMs) break;
      this.windows.delete(k);
    }
  }
}

/**
 * The client address to limit: the hop before our router. The router appends the address it saw last,
 * so a client-supplied X-Forwarded-For cannot make another address (say, Twilio's) look abusive.
 */
export function clientKey(xForwardedFor: string | string[] | undefined, socketAddress: string | undefined): string {
  const chain = (Array.isArray(xForwardedFor) ? xForwardedFor.join(',') : xForwardedFor ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return chain.length >= 2 ? (chain[chain.length - 2] as string) : chain[0] ?? socketAddress ?? 'unknown';
}
