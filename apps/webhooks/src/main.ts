// Webhooks process entry: the public app on 127.0.0.1:WEBHOOKS_PORT, the internal one on 127.0.0.1:INTERNAL_PORT; tells pm2 it is ready.
import { TIMINGS } from '@tva/config';
import { createLogger, EVENTS, loadServiceConfig, runService } from '@tva/logging';
import { createProviders } from '@tva/providers';
import { buildApp } from './build-app';
import { CallOutcomes } from './call-outcomes';
import { buildInternalApp } from './internal-app';
import { startMediaProbe } from './media-probe';
import { MemoryConversationStore } from './record';
import { registerMetricsRoute, startWebhooksMetrics } from './metrics';
import { openRecordsStore, type RecordsStore } from '@tva/records';
import { CallRecorder } from './call-recorder';
import { LiveCalls } from './live-calls';
import { startRetentionPurge } from './records-retention';

const config = loadServiceConfig('webhooks');
const logger = createLogger({ service: 'webhooks', level: config.logLevel, logTranscripts: config.logTranscripts, format: config.logFormat });
const metrics = startWebhooksMetrics();
if (config.callTokenSecretIsDefault) logger.warn('CALL_TOKEN_SECRET and TWILIO_AUTH_TOKEN unset: using the development call-token key');
// why: RECORD turns are few and short; one provider set for the process is enough (TTS connections are per set).
const providers = createProviders(config, logger).forCall();
const mediaProbe = startMediaProbe(config.mediaPort);
const outcomes = new CallOutcomes();
const conversations = new MemoryConversationStore();
const liveCalls = new LiveCalls();
const liveSweep = setInterval(() => liveCalls.sweep(), 60_000);
liveSweep.unref();

/** The call records (SQLite under DATA_DIR, or Postgres); when they cannot be opened, calls go on unrecorded (logged). */
async function openRecords(): Promise<RecordsStore | undefined> {
  try {
    const store = await openRecordsStore(config);
    logger.info({ event: EVENTS.RECORDS, driver: store.driver, location: store.location, retentionDays: config.recordsRetentionDays }, 'call records open');
    return store;
  } catch (err) {
    const e = err as Error & { code?: string };
    logger.error({ event: EVENTS.RECORDS, code: e.code ?? 'RECORDS_ERR_OPEN', err: e.message }, 'call records unavailable: calls go on, unrecorded');
    return undefined;
  }
}

// why: the store is opened before listening, so the first call is recorded; SQLite opens in milliseconds, and a
// Postgres that cannot be reached fails fast (logged) without keeping TwiML from being served.
const started = openRecords().then((records) => {
  const recorder = new CallRecorder({ config, logger, store: records, live: liveCalls });
  const retention = records && startRetentionPurge(records, { retentionDays: config.recordsRetentionDays, logger });
  const app = buildApp({ config, logger, providers, mediaProbe, outcomes, conversations, liveCalls, recorder, ...(records ? { records } : {}) });
  // why: internal notices get a listener of their own that the router never proxies to, so no public path can reach them.
  const internal = buildInternalApp({ config, logger, outcomes, conversations, recorder });
  registerMetricsRoute(internal, metrics);
  return { app, internal, records, recorder, retention };
});
started.then(({ app, internal }) => Promise.all([app.listen({ port: config.webhooksPort, host: '127.0.0.1' }), internal.listen({ port: config.internalPort, host: '127.0.0.1' })])).then(
  () => {
    logger.info({ event: EVENTS.READY, port: config.webhooksPort, internalPort: config.internalPort, signatures: Boolean(config.twilioAuthToken) }, 'webhooks listening');
    const consoleUrl = `${config.publicBaseUrl ?? `http://127.0.0.1:${config.port}`}/console`;
    logger.info(
      { event: EVENTS.CONSOLE, url: consoleUrl, access: config.consolePassword ? 'password' : 'loopback-only' },
      config.consolePassword
        ? `console: ${consoleUrl} (log in with CONSOLE_PASSWORD)`
        : `console: ${consoleUrl} (open it from this machine; set CONSOLE_PASSWORD to reach it from elsewhere)`,
    );
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
    clearInterval(liveSweep);
    const { app, internal, records, recorder, retention } = await started;
    retention?.stop();
    // why: the internal listener closes last, so outcomes of calls still being drained keep arriving while it can.
    await app.close();
    await internal.close();
    // Records last: the final notices above are written before the store closes.
    await recorder.drain(TIMINGS.noticeTimeoutMs);
    await records?.close();
  },
  TIMINGS.webhooksGraceMs,
);
