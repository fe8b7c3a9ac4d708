// A per-client fixed-window request limiter for the webhooks (pure: the caller passes the time).
import { isIP } from 'node:net';

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
 * The client address to limit. why: webhooks listens on 127.0.0.1 only, so every request comes through our router, and the
 * router replaces X-Forwarded-For with exactly one address — the client it trusts (its socket peer, or with TRUST_PROXY=n the
 * address n proxy hops in front of it named). That one value is the key; a client's own X-Forwarded-For never reaches us.
 * Anything else (absent, or not an IP address: not from our router) falls back to the socket address.
 */
export function clientKey(xForwardedFor: string | string[] | undefined, socketAddress: string | undefined): string {
  const value = (Array.isArray(xForwardedFor) ? xForwardedFor[0] : xForwardedFor)?.trim();
  return value && isIP(value) ? value : socketAddress ?? 'unknown';
}
