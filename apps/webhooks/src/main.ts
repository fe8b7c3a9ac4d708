// Webhooks process entry: reads config, listens on 127.0.0.1:WEBHOOKS_PORT, tells pm2 it is ready.
import { loadConfig } from '@tva/config';
import { createLogger, EVENTS, runService } from '@tva/logging';
import { buildApp } from './build-app';

const config = loadConfig();
const logger = createLogger({ service: 'webhooks', level: config.logLevel, logTranscripts: config.logTranscripts });
if (config.callTokenSecretIsDefault) logger.warn('CALL_TOKEN_SECRET and TWILIO_AUTH_TOKEN unset: using the development call-token key');
const app = buildApp({ config, logger });
app.listen({ port: config.webhooksPort, host: '127.0.0.1' }).then(
  () => {
    logger.info({ event: EVENTS.READY, port: config.webhooksPort, signatures: Boolean(config.twilioAuthToken) }, 'webhooks listening');
    runService.ready();
  },
  (err: Error) => {
    logger.fatal({ err: err.message }, 'webhooks could not listen');
    process.exit(1);
  },
);
runService.onShutdown(logger, () => app.close());
