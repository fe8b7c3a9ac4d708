// The media worker's metrics: shown by pm2 (`pm2 show media`) and served as Prometheus text at GET /metrics on 127.0.0.1:MEDIA_PORT for the router to join.
import type http from 'node:http';
import { ServiceMetrics, exposeToPm2 } from '@tva/logging';

export const MEDIA_METRICS_PATH = '/metrics';

/** Starts reading the log timeline and the event loop; registers pm2's panel when pm2 runs this process. */
export function startMediaMetrics(): ServiceMetrics {
  const metrics = new ServiceMetrics('media');
  metrics.start();
  exposeToPm2(metrics);
  return metrics;
}

/** Answers GET /metrics (true) or leaves the request alone (false). The server listens on loopback only. */
export function serveMediaMetrics(metrics: ServiceMetrics, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method !== 'GET' || req.url !== MEDIA_METRICS_PATH) return false;
  const body = metrics.text();
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
  return true;
}
