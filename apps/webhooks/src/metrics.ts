// Webhooks' metrics: shown by pm2 (`pm2 show webhooks`) and served as Prometheus text at GET /metrics on the internal listener (loopback, never proxied).
import type { FastifyInstance } from 'fastify';
import { ServiceMetrics, exposeToPm2 } from '@tva/logging';

export const WEBHOOKS_METRICS_PATH = '/metrics';

export function startWebhooksMetrics(): ServiceMetrics {
  const metrics = new ServiceMetrics('webhooks');
  metrics.start();
  exposeToPm2(metrics);
  return metrics;
}

/** On the internal app only: the router fetches it over loopback and joins it to its own scrape. */
export function registerMetricsRoute(internal: FastifyInstance, metrics: ServiceMetrics): void {
  internal.get(WEBHOOKS_METRICS_PATH, async (_req, reply) =>
    reply.header('cache-control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8').send(metrics.text()),
  );
}
