// The one Prometheus scrape URL (GET /metrics on the router): the router's own metrics plus the media worker's and webhooks', fetched over loopback and joined.
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { EVENTS, ServiceMetrics, exposeToPm2, mergeExpositions, type Logger } from '@tva/logging';
import { ROUTER_ERRORS, errorBody, statusOf } from './router-errors';

export interface MetricsTarget {
  service: string;
  /** A loopback URL, e.g. http://127.0.0.1:MEDIA_PORT/metrics. */
  url: string;
}

export interface MetricsRouteOptions {
  own: ServiceMetrics;
  targets: readonly MetricsTarget[];
  /** METRICS_TOKEN: when set, every scrape must carry `Authorization: Bearer <token>`; unset, loopback clients only. */
  token: string | undefined;
  logger: Logger;
  /** Each target gets this long to answer (default 1000 ms); a silent one shows as tva_up 0. */
  timeoutMs?: number;
}

export const METRICS_PATH = '/metrics';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Headers a proxy adds: a request carrying one was relayed, so its loopback peer says nothing about the client. */
const RELAYED = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-real-ip'];

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * May this request read the metrics? With a token: the right bearer token, from anywhere. Without: a loopback peer
 * with no forwarding header (a Prometheus on the same machine; never the internet through a local proxy).
 */
export function metricsAllowed(headers: http.IncomingHttpHeaders, peer: string | undefined, token: string | undefined): boolean {
  if (token !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    // why: equal-length digests keep the comparison constant-time whatever the length of the guess.
    return m !== null && timingSafeEqual(digest(m[1] as string), digest(token));
  }
  return isLoopback(peer) && RELAYED.every((h) => headers[h] === undefined);
}

/** One target's text, or a tva_up 0 sample for it when it does not answer 200 in time. */
function scrape(target: MetricsTarget, timeoutMs: number, logger: Logger): Promise<string> {
  const down = `# TYPE tva_up gauge\ntva_up{service="${target.service}"} 0\n`;
  return new Promise((resolve) => {
    const req = http.get(target.url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body : down));
      res.on('error', () => resolve(down));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      logger.debug({ event: EVENTS.PROXY_ERROR, target: target.service, err: err.message }, 'metrics target did not answer');
      resolve(down);
    });
  });
}

/** Answers GET/HEAD /metrics; the router calls it for that path only and keeps no other metrics logic. */
export function createMetricsRoute(opts: MetricsRouteOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const timeoutMs = opts.timeoutMs ?? 1000;
  return (req, res) => {
    if (!metricsAllowed(req.headers, req.socket.remoteAddress, opts.token)) {
      const code = 'ROUTER_ERR_METRICS_FORBIDDEN';
      opts.logger.warn({ event: EVENTS.ROUTER_REJECT, code, status: statusOf(code), remote: req.socket.remoteAddress, token: opts.token !== undefined }, ROUTER_ERRORS[code].message);
      const body = errorBody(code);
      res.writeHead(statusOf(code), { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    void Promise.all(opts.targets.map((t) => scrape(t, timeoutMs, opts.logger))).then((texts) => {
      const body = mergeExpositions([opts.own.text(), ...texts]);
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  };
}

/** The router's own metrics (event loop, coded refusals and proxy errors), shown by pm2 and joined into /metrics. */
export function startRouterMetrics(): ServiceMetrics {
  const metrics = new ServiceMetrics('router');
  metrics.start();
  exposeToPm2(metrics);
  return metrics;
}
