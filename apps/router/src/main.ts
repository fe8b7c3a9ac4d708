// Router process entry: reads config, listens on PORT (0.0.0.0), tells pm2 it is ready, drains within its kill_timeout.
import os from 'node:os';
import { TIMINGS } from '@tva/config';
import { createLogger, EVENTS, loadServiceConfig, runService } from '@tva/logging';
import { createRouter } from './create-router';
import { createMetricsRoute, startRouterMetrics } from './metrics';
import { startReadiness } from './readiness';

const config = loadServiceConfig('router');
const logger = createLogger({ service: 'router', level: config.logLevel, format: config.logFormat });
const metrics = startRouterMetrics();
// why: /healthz must answer in well under 50 ms even while pm2 boots a crashed worker on the same cores; a higher
// CPU priority keeps the router first in line. Unprivileged users may not raise it: then it stays as it is.
try {
  os.setPriority(0, -10);
  logger.info({ event: 'PRIORITY', nice: os.getPriority(0) }, 'router runs at raised CPU priority');
} catch (err) {
  logger.info({ event: 'PRIORITY', nice: os.getPriority(0), code: (err as NodeJS.ErrnoException).code }, 'router priority unchanged (not permitted)');
}
// why: /healthz is liveness (the router itself); /readyz tells a load balancer whether this VM should get new calls.
const readiness = startReadiness({
  mediaHealthUrl: `http://127.0.0.1:${config.mediaPort}/healthz`,
  webhooksHealthUrl: `http://127.0.0.1:${config.webhooksPort}/version`,
});
const router = createRouter({
  readiness: () => readiness.state(),
  mediaTarget: `http://127.0.0.1:${config.mediaPort}`,
  webhooksTarget: `http://127.0.0.1:${config.webhooksPort}`,
  upgradeTimeoutMs: config.upgradeTimeoutMs,
  proxyTimeoutMs: config.proxyTimeoutMs,
  trustProxy: config.trustProxy,
  logger,
  // why: one scrape URL for all three processes; the others serve theirs on loopback listeners the router never forwards to.
  metrics: createMetricsRoute({
    own: metrics,
    targets: [
      { service: 'media', url: `http://127.0.0.1:${config.mediaPort}/metrics` },
      { service: 'webhooks', url: `http://127.0.0.1:${config.internalPort}/metrics` },
    ],
    token: config.metricsToken,
    logger,
  }),
});
router.server.listen(config.port, config.host, () => {
  logger.info(
    { event: EVENTS.READY, port: config.port, host: config.host, media: config.mediaPort, webhooks: config.webhooksPort, trustProxy: config.trustProxy },
    'router listening',
  );
  runService.ready();
});
// why: live streams keep flowing while the media worker drains them (routerGraceMs > mediaGraceMs); the drain itself
// cuts what is left at routerGraceMs, so runService's forced exit, halfway to pm2's kill_timeout, is only a backstop.
runService.onShutdown(
  logger,
  () => {
    readiness.draining();
    return router.shutdown(TIMINGS.routerGraceMs).finally(() => readiness.stop());
  },
  (TIMINGS.routerGraceMs + TIMINGS.routerKillTimeoutMs) / 2,
);
