// Readiness for a load balancer (/readyz): not while starting, draining, or with the media worker or webhooks down.
import http from 'node:http';

export type NotReadyReason = 'starting' | 'draining' | 'media-down' | 'webhooks-down';

export interface ReadinessState {
  ready: boolean;
  reasons: NotReadyReason[];
}

export interface Readiness {
  state(): ReadinessState;
  /** The router is shutting down: from now on it is never ready. */
  draining(): void;
  stop(): void;
}

export interface ReadinessOptions {
  /** The media worker's /healthz (it stops listening while it drains its calls on shutdown). */
  mediaHealthUrl: string;
  /** Any path webhooks answers with 200 (e.g. /version). */
  webhooksHealthUrl: string;
  everyMs?: number;
  /** A target whose last good answer is older than this is down. */
  staleMs?: number;
  timeoutMs?: number;
}

interface Probe {
  /** Time of the last 200; 0 = never. */
  lastOk: number;
  /** Nothing listens there (connection refused): down at once, no need to wait for staleness. */
  refused: boolean;
}

function probe(url: string, timeoutMs: number, into: Probe): void {
  const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
    res.resume();
    into.refused = false;
    if (res.statusCode === 200) into.lastOk = Date.now();
  });
  req.on('timeout', () => req.destroy());
  req.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNREFUSED') into.refused = true;
  });
}

// why: as webhooks' media probe, one slow answer under load is not "down" (~3 missed probes are); a refused
// connection (the worker stopped listening to drain, or died) is down at once.
export function startReadiness(opts: ReadinessOptions): Readiness {
  const everyMs = opts.everyMs ?? 1000;
  const staleMs = opts.staleMs ?? 3500;
  const timeoutMs = opts.timeoutMs ?? 1000;
  const media: Probe = { lastOk: 0, refused: false };
  const webhooks: Probe = { lastOk: 0, refused: false };
  let shuttingDown = false;
  const tick = () => {
    probe(opts.mediaHealthUrl, timeoutMs, media);
    probe(opts.webhooksHealthUrl, timeoutMs, webhooks);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  const down = (p: Probe, now: number) => p.refused || now - p.lastOk >= staleMs;
  return {
    state() {
      const now = Date.now();
      const reasons: NotReadyReason[] = [];
      if (shuttingDown) reasons.push('draining');
      if (media.lastOk === 0 || webhooks.lastOk === 0) reasons.push('starting');
      if (media.lastOk !== 0 && down(media, now)) reasons.push('media-down');
      if (webhooks.lastOk !== 0 && down(webhooks, now)) reasons.push('webhooks-down');
      return { ready: reasons.length === 0, reasons };
    },
    draining() {
      shuttingDown = true;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
