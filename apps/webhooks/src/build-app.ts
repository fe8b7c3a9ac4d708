// Builds the public webhooks Fastify app (no listen): TwiML for incoming calls, stream callbacks, RECORD mode, /version.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { E164, TIMINGS, WEBHOOK_BODY_LIMIT_BYTES, type Config } from '@tva/config';
import { EVENTS, type Logger } from '@tva/logging';
import { createCallToken } from '@tva/security';
import { CallOutcomes } from './call-outcomes';
import { joinUrl, publicBase } from './public-base';
import { dialTwiml, hangupTwiml, streamTwiml } from './stream-twiml';
import { assertTwilioForm } from './twilio-form';
import { assertTwilioSignature } from './twilio-signature';
import { WebhookError, replyWithWebhookError } from './webhook-errors';
import { versionInfo } from './version-info';
import { RateLimiter, clientKey } from './rate-limiter';
import type { LlmProvider, SttProvider, TtsProvider } from '@tva/providers';
import { MemoryConversationStore, registerRecordMode, type ConversationStore } from './record';
import type { MediaProbe } from './media-probe';
import { registerConsole } from './console/register-console';
import type { LiveCalls } from './live-calls';
import type { CallRecorder } from './call-recorder';
import type { RecordsStore } from '@tva/records';

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** How long stream_ended waits for the media worker's account of the stream. */
  outcomeWaitMs?: number;
  /** Providers for RECORD mode turns. */
  providers: { stt: SttProvider; llm: LlmProvider; tts: TtsProvider };
  /** Whether the media worker is up (AUTO mode); absent = assume up. */
  mediaProbe?: MediaProbe;
  /** Recording downloader override (tests). */
  fetchRecording?: (recordingUrl: string, signal: AbortSignal) => Promise<Uint8Array>;
  /** Shared with the internal listener (buildInternalApp), which fills them from the media worker's notices. */
  outcomes?: CallOutcomes;
  conversations?: ConversationStore;
  /** The console (/console, /api/*) reads these; absent: its pages say so. */
  records?: RecordsStore;
  liveCalls?: LiveCalls;
  /** Records what webhooks sees of each call (incoming_call, stream_ended, RECORD turns); never awaited by TwiML. */
  recorder?: CallRecorder;
}

type Form = Record<string, string>;

function formOf(req: FastifyRequest): Form {
  return (req.body && typeof req.body === 'object' ? req.body : {}) as Form;
}

/** `outcomes` and `conversations` are shared with the internal listener; /internal/* is not served here at all. */
export function buildApp({ config, logger, outcomeWaitMs = TIMINGS.outcomeWaitMs, providers, mediaProbe, fetchRecording, ...shared }: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    trustProxy: false,
    // why: errors Fastify raises before routing (a URL that is not UTF-8, a bad Content-Type header) get our catalogue too.
    frameworkErrors: (err, req, reply) => void replyWithWebhookError(err, req, reply),
  });
  // why: Twilio posts forms only; any other body type is refused (415) before it is read.
  app.removeAllContentTypeParsers();
  app.register(formbody);
  const outcomes = shared.outcomes ?? new CallOutcomes();
  const conversations = shared.conversations ?? new MemoryConversationStore();
  const limiter = new RateLimiter(config.webhookRateLimit);
  // why: decisions use the matched route, not the raw URL, so "/%77ebhook/…" cannot skip what "/webhook/…" gets.
  const isWebhook = (req: FastifyRequest): boolean => (req.routeOptions.url ?? '').startsWith('/webhook/');
  app.addHook('onRequest', async (req) => {
    if ((req.routeOptions.url ?? '').startsWith('/audio/')) return;
    if (!limiter.allow(clientKey(req.headers['x-forwarded-for'], req.socket.remoteAddress), Date.now())) throw new WebhookError('WH_ERR_RATE_LIMITED');
    // why: the host makes the signed URL and the TwiML's URLs; a bad one is refused before any of that (400, never 500).
    if (isWebhook(req)) publicBase(config.publicBaseUrl, req.headers);
  });
  // Twilio's identifiers by format, no control characters anywhere: nothing malformed reaches a route or the TwiML.
  app.addHook('preHandler', async (req) => {
    if (isWebhook(req)) assertTwilioForm(formOf(req));
  });
  const version = versionInfo(config.deployId, config.gitSha);

  /** Throws WebhookError when signatures are on and this request's is missing or wrong. */
  const checkSignature = (req: FastifyRequest): void => {
    if (!config.twilioAuthToken) return;
    const url = joinUrl(publicBase(config.publicBaseUrl, req.headers), req.url);
    assertTwilioSignature(config.twilioAuthToken, req.headers['x-twilio-signature'], url, formOf(req));
  };

  app.setErrorHandler(replyWithWebhookError);
  app.setNotFoundHandler((req, reply) => replyWithWebhookError(new WebhookError('WH_ERR_NOT_FOUND'), req, reply));

  app.get('/version', async () => version);
  registerConsole(app, { config, logger, records: shared.records, liveCalls: shared.liveCalls });

  const record = registerRecordMode(app, {
    config,
    logger,
    providers,
    conversations,
    checkSignature,
    publicBase: (req) => publicBase(config.publicBaseUrl, req.headers),
    ...(fetchRecording ? { fetchRecording } : {}),
    ...(shared.recorder ? { recorder: shared.recorder } : {}),
  });

  app.post('/webhook/incoming_call', async (req, reply) => {
    checkSignature(req);
    const form = formOf(req);
    const callSid = form['CallSid'];
    if (!callSid) throw new WebhookError('WH_ERR_MISSING_CALL_SID');
    const base = publicBase(config.publicBaseUrl, req.headers);
    const mediaDown = config.callMode === 'AUTO' && mediaProbe !== undefined && !mediaProbe.up;
    if (config.callMode === 'RECORD' || mediaDown) {
      req.log.info({ event: EVENTS.INCOMING_CALL, callSid, from: form['From'], to: form['To'], mode: 'RECORD', mediaDown }, 'incoming call: answering in RECORD mode');
      shared.recorder?.incomingCall(callSid, form['From'], form['To'], 'record');
      return reply.type('text/xml').send(await record.startTwiml(req, callSid, mediaDown ? 'media-down' : 'forced'));
    }
    req.log.info({ event: EVENTS.INCOMING_CALL, callSid, from: form['From'], to: form['To'], base, mode: 'WS' }, 'incoming call: answering with <Connect><Stream>');
    shared.recorder?.incomingCall(callSid, form['From'], form['To'], 'stream');
    return reply.type('text/xml').send(streamTwiml({ base, callSid, callToken: createCallToken(config.callTokenSecret, callSid) }));
  });

  app.post('/webhook/stream_status', async (req, reply) => {
    const form = formOf(req);
    let signed = true;
    try {
      checkSignature(req);
    } catch (err) {
      // why: Twilio ignores this callback's answer, so it always gets 204; an unsigned event is only logged, never acted on.
      signed = false;
      req.log.warn({ event: EVENTS.SIGNATURE_INVALID, code: (err as WebhookError).code, url: req.url }, 'unsigned stream status ignored');
    }
    const event = form['StreamEvent'];
    const sid = form['CallSid'];
    // Twilio's own account is the second source: it settles stream_ended at once when the media worker could not report.
    if (signed && sid && (event === 'stream-error' || event === 'stream-stopped') && !outcomes.get(sid)) {
      outcomes.set({ callSid: sid, streamSid: form['StreamSid'] ?? '', endedBy: event === 'stream-error' ? 'twilio-stream-error' : 'twilio-stream-stopped', closeCode: 0 });
    }
    req.log.info(
      { event: EVENTS.STREAM_STATUS, signed, callSid: form['CallSid'], streamSid: form['StreamSid'], streamEvent: form['StreamEvent'], streamError: form['StreamError'] },
      `stream status ${form['StreamEvent'] ?? '(none)'}`,
    );
    return reply.code(204).send();
  });

  app.post('/webhook/stream_ended', async (req, reply) => {
    checkSignature(req);
    const callSid = formOf(req)['CallSid'];
    if (!callSid) throw new WebhookError('WH_ERR_MISSING_CALL_SID');
    const outcome = await outcomes.waitFor(callSid, outcomeWaitMs);
    const endedBy = outcome?.endedBy ?? 'unknown';
    if (endedBy === 'agent-end') {
      req.log.info({ event: EVENTS.STREAM_ENDED, callSid, endedBy, action: 'hangup' }, 'stream ended by the agent: hanging up');
      shared.recorder?.streamEnded(callSid, endedBy, 'hangup');
      return reply.type('text/xml').send(hangupTwiml());
    }
    // why: a number that is not E.164 is never dialled, whatever the notice says (TRANSFER_NUMBER is checked at load too).
    if (endedBy === 'transfer' && outcome?.transfer && E164.test(outcome.transfer.to)) {
      req.log.info({ event: EVENTS.STREAM_ENDED, callSid, endedBy, action: 'dial' }, 'transferring the caller');
      shared.recorder?.streamEnded(callSid, endedBy, 'dial');
      return reply.type('text/xml').send(dialTwiml(outcome.transfer.to));
    }
    if (config.callMode === 'WS') {
      req.log.info({ event: EVENTS.STREAM_ENDED, callSid, endedBy, action: 'none' }, 'stream ended without a deliberate end (CALL_MODE=WS: no fallback)');
      shared.recorder?.streamEnded(callSid, endedBy, 'none', outcome?.code);
      return reply.code(204).send();
    }
    if (outcome?.history?.length) conversations.set(callSid, outcome.history);
    req.log.warn({ event: EVENTS.FALLBACK_RECORD, callSid, endedBy, turns: outcome?.history?.length ?? 0 }, 'stream ended without a deliberate end: continuing in RECORD mode');
    shared.recorder?.streamEnded(callSid, endedBy, 'record', outcome?.code);
    return reply.type('text/xml').send(await record.startTwiml(req, callSid, 'stream-failed'));
  });

  return app;
}
