// Media worker entry: listens on 127.0.0.1:MEDIA_PORT, tells pm2 it is ready, closes streams on shutdown.
import { TIMINGS } from '@tva/config';
import { createLogger, EVENTS, loadServiceConfig, runService } from '@tva/logging';
import { createMediaServer } from './create-media-server';
import type { MediaErrorCode } from './media-errors';
import { EchoAgent } from './agents/echo-agent';
import type { Agent } from './agents/agent';
import { notifyConversation, notifyOutcome } from './outcome-notifier';
import { CallFeed } from './call-feed';
import { createProviders } from '@tva/providers';
import { PhraseCache } from './voice/phrase-cache';
import { switchingVad } from './voice/switching-vad';
import { VoiceAgent } from './voice/voice-agent';
import { FileUsedTokenStore } from './used-token-file';
import { serveMediaMetrics, startMediaMetrics } from './metrics';

const config = loadServiceConfig('media');
const logger = createLogger({ service: 'media', level: config.logLevel, logTranscripts: config.logTranscripts, format: config.logFormat });
const metrics = startMediaMetrics();
/** Turns, events and state changes for webhooks' records and live calls: batched, never awaited by the audio path. */
const feed = new CallFeed({ internalPort: config.internalPort, secret: config.callTokenSecret, log: logger });

function agentFactory(): { create: () => Agent; warm?: () => Promise<unknown> } {
  if (config.agent === 'echo') return { create: () => new EchoAgent() };
  const chosen = createProviders(config, logger);
  const phrases = new PhraseCache(chosen.phraseTts, logger);
  return {
    create: () =>
      new VoiceAgent({
        providers: chosen.forCall(),
        phrases,
        greeting: chosen.greeting,
        apology: config.apologyText,
        createVad: () => switchingVad(config.vadMode, logger),
        endSilenceMs: config.turnEndSilenceMs,
        minSpeechMs: config.turnMinSpeechMs,
        bargeInMs: config.bargeInMs,
        sttFinalTimeoutMs: config.sttFinalTimeoutMs,
        ttsTimeoutMs: config.ttsTimeoutMs,
        transferNumber: config.transferNumber,
        onHistory: (callSid, history) => void notifyConversation(config.internalPort, config.callTokenSecret, callSid, history, logger),
        feed,
      }),
    // why: the greeting must start within ~100 ms of `start`, so it is synthesized before the first call.
    warm: () => Promise.all([phrases.get(chosen.greeting), phrases.get(config.apologyText)]),
  };
}

/** Used call tokens outlive a restart here; without it the worker does not start (a replay must never get in). */
function openUsedTokens(): FileUsedTokenStore {
  try {
    return FileUsedTokenStore.inDir(config.dataDir, {
      onCompactError: (err) => logger.error({ event: EVENTS.SESSION_ERROR, code: 'MEDIA_ERR_USED_TOKENS' satisfies MediaErrorCode, err: err.message }, 'could not compact the used-token file'),
    });
  } catch (err) {
    logger.fatal({ event: EVENTS.SHUTDOWN, code: 'MEDIA_ERR_USED_TOKENS' satisfies MediaErrorCode, dataDir: config.dataDir, err: (err as Error).message }, 'cannot open the used-token file under DATA_DIR');
    process.exit(1);
  }
}

const usedTokens = openUsedTokens();
const agents = agentFactory();
/** Outcome notices still on their way to webhooks; shutdown waits for them. */
const notices = new Set<Promise<void>>();
const media = createMediaServer({
  logger,
  maxPayload: config.wsMaxPayload,
  startTimeoutMs: config.startTimeoutMs,
  pingIntervalMs: config.pingIntervalMs,
  createAgent: agents.create,
  onOutcome: (outcome) => {
    feed.push({ kind: 'call-end', callSid: outcome.callSid, at: Date.now(), endedBy: outcome.endedBy, ...(outcome.code ? { code: outcome.code } : {}) });
    const sent = notifyOutcome(config.internalPort, config.callTokenSecret, outcome, logger);
    notices.add(sent);
    void sent.finally(() => notices.delete(sent));
  },
  maxCalls: config.maxCalls,
  usedTokens,
  twilioAuthToken: config.twilioAuthToken,
  callTokenSecret: config.callTokenSecret,
  publicBaseUrl: config.publicBaseUrl,
  extraRoutes: (req, res) => serveMediaMetrics(metrics, req, res),
});

media.server.listen(config.mediaPort, '127.0.0.1', () => {
  logger.info({ event: EVENTS.READY, port: config.mediaPort, agent: config.agent }, 'media worker listening');
  runService.ready();
  const started = performance.now();
  agents.warm?.().then(
    () => logger.info({ event: EVENTS.PHRASES_READY, ms: Math.round(performance.now() - started) }, 'greeting and apology cached'),
    (err: Error) => logger.warn({ event: EVENTS.PHRASES_READY, err: err.message }, 'phrase warm-up failed'),
  );
});

// why: drain + the last notices fit in mediaGraceMs, which ends before pm2's kill_timeout (TIMINGS checks they nest).
runService.onShutdown(
  logger,
  async () => {
    await media.drain(TIMINGS.mediaDrainMs);
    await Promise.race([Promise.all([...notices, feed.flush(TIMINGS.noticeTimeoutMs)]), new Promise((r) => setTimeout(r, TIMINGS.noticeTimeoutMs))]);
    feed.close();
    usedTokens.close();
  },
  TIMINGS.mediaGraceMs,
);
