// Router process entry: reads config, listens on PORT (0.0.0.0), tells pm2 it is ready.
import os from 'node:os';
import { loadConfig } from '@tva/config';
import { createLogger, EVENTS } from '@tva/logging';
import { createRouter } from './create-router';
import { runService } from '@tva/logging';

const config = loadConfig();
const logger = createLogger({ service: 'router', level: config.logLevel });
// why: /healthz must answer in well under 50 ms even while pm2 boots a crashed worker on the same cores; a higher
// CPU priority keeps the router first in line. Unprivileged users may not raise it: then it stays as it is.
try {
  os.setPriority(0, -10);
  logger.info({ event: 'PRIORITY', nice: os.getPriority(0) }, 'router runs at raised CPU priority');
} catch (err) {
  logger.info({ event: 'PRIORITY', nice: os.getPriority(0), code: (err as NodeJS.ErrnoException).code }, 'router priority unchanged (not permitted)');
}
const server = createRouter({
  mediaTarget: `http://127.0.0.1:${config.mediaPort}`,
  webhooksTarget: `http://127.0.0.1:${config.webhooksPort}`,
  upgradeTimeoutMs: config.upgradeTimeoutMs,
  proxyTimeoutMs: config.proxyTimeoutMs,
  logger,
});
server.listen(config.port, config.host, () => {
  logger.info({ event: EVENTS.READY, port: config.port, host: config.host, media: config.mediaPort, webhooks: config.webhooksPort }, 'router listening');
  runService.ready();
});
runService.onShutdown(logger, () => new Promise<void>((resolve) => server.close(() => resolve())));
