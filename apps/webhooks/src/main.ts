// Webhooks process entry: the public app on 127.0.0.1:WEBHOOKS_PORT, the internal one on 127.0.0.1:INTERNAL_PORT; tells pm2 it is ready.
import { TIMINGS } from '@tva/config';
import { createLogger, EVENTS, loadServiceConfig, runService } from '@tva/logging';
import { createProviders } from '@tva/providers';
import { buildApp } from './build-app';
import { CallOutcomes } from './call-outcomes';
import { buildInternalApp } from './internal-app';
import { startMediaProbe } from './media-probe';
import { MemoryConversationStore } from './record';

const config = loadServiceConfig('webhooks');
const logger = createLogger({ service: 'webhooks', level: config.logLevel, logTranscripts: config.logTranscripts });
if (config.callTokenSecretIsDefault) logger.warn('CALL_TOKEN_SECRET and TWILIO_AUTH_TOKEN unset: using the development call-token key');
// why: RECORD turns are few and short; one provider set for the process is enough (TTS connections are per set).
const providers = createProviders(config, logger).forCall();
const mediaProbe = startMediaProbe(config.mediaPort);
const outcomes = new CallOutcomes();
const conversations = new MemoryConversationStore();
const app = buildApp({ config, logger, providers, mediaProbe, outcomes, conversations });
// why: internal notices get a listener of their own that the router never proxies to, so no public path can reach them.
const internal = buildInternalApp({ config, logger, outcomes, conversations });
Promise.all([app.listen({ port: config.webhooksPort, host: '127.0.0.1' }), internal.listen({ port: config.internalPort, host: '127.0.0.1' })]).then(
  () => {
    logger.info({ event: EVENTS.READY, port: config.webhooksPort, internalPort: config.internalPort, signatures: Boolean(config.twilioAuthToken) }, 'webhooks listening');
    runService.ready();
  },
  (err: Error) => {
    logger.fatal({ err: err.message }, 'webhooks could not listen');
    process.exit(1);
  },
);
runService.onShutdown(
  logger,
  async () => {
    mediaProbe.stop();
    // why: the internal listener closes last, so outcomes of calls still being drained keep arriving while it can.
    await app.close();
    await internal.close();
  },
  TIMINGS.webhooksGraceMs,
);
