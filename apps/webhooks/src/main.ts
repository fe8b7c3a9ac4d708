// Webhooks process entry: reads config, listens on 127.0.0.1:WEBHOOKS_PORT, tells pm2 it is ready.
import { loadConfig } from '@tva/config';
import { createLogger, EVENTS, runService } from '@tva/logging';
import { createProviders } from '@tva/providers';
import { buildApp } from './build-app';
import { startMediaProbe } from './media-probe';

const config = loadConfig();
const logger = createLogger({ service: 'webhooks', level: config.logLevel, logTranscripts: config.logTranscripts });
if (config.callTokenSecretIsDefault) logger.warn('CALL_TOKEN_SECRET and TWILIO_AUTH_TOKEN unset: using the development call-token key');
// why: RECORD turns are few and short; one provider set for the process is enough (TTS connections are per set).
const providers = createProviders(config, logger).forCall();
const mediaProbe = startMediaProbe(config.mediaPort);
const app = buildApp({ config, logger, providers, mediaProbe });
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
runService.onShutdown(logger, async () => {
  mediaProbe.stop();
  await app.close();
});
