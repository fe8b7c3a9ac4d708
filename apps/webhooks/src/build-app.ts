// Builds the webhooks Fastify app (no listen): TwiML for incoming calls, stream callbacks, /version.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { Config } from '@tva/config';
import { EVENTS, type Logger } from '@tva/logging';
import { createCallToken, isValidInternalSignature } from '@tva/security';
import { CallOutcomes, type StreamOutcome } from './call-outcomes';
import { joinUrl, publicBase } from './public-base';
import { dialTwiml, hangupTwiml, streamTwiml } from './stream-twiml';
import { assertTwilioSignature } from './twilio-signature';
import { WebhookError } from './webhook-errors';
import { versionInfo } from './version-info';
import { RateLimiter, clientKey } from './rate-limiter';
import type { LlmProvider, SttProvider, TtsProvider } from '@tva/providers';
import { MemoryConversationStore, registerRecordMode } from './record';
import type { MediaProbe } from './media-probe';

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
}

type Form = Record<string, string>;

function formOf(req: FastifyRequest): Form {
  return (req.body && typeof req.body === 'object' ? req.body : {}) as Form;
}

export function buildApp({ config, logger, outcomeWaitMs = 1500, providers, mediaProbe, fetchRecording }: AppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: 64 * 1024, trustProxy: false });
  app.register(formbody);
  // why: internal messages are signed over their exact bytes, so JSON stays a string until the signature is checked.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const outcomes = new CallOutcomes();
  const limiter = new RateLimiter(config.webhookRateLimit);
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/internal/') || req.url.startsWith('/audio/')) return;
    const key = clientKey(req.headers['x-forwarded-for'], req.socket.remoteAddress);
    if (!limiter.allow(key, Date.now())) throw new WebhookError('WH_ERR_RATE_LIMITED');
  });
  const version = versionInfo(config.deployId, config.gitSha);

  /** Throws WebhookError when signatures are on and this request's is missing or wrong. */
  const checkSignature = (req: FastifyRequest): void => {
    if (!config.twilioAuthToken) return;
    const url = joinUrl(publicBase(config.publicBaseUrl, req.headers), req.url);
    assertTwilioSignature(config.twilioAuthToken, req.headers['x-twilio-signature'], url, formOf(req));
  };

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof WebhookError) {
      req.log.warn({ event: err.code.startsWith('WH_ERR_SIGNATURE') ? EVENTS.SIGNATURE_INVALID : 'WEBHOOK_REJECT', code: err.code, url: req.url }, err.message);
      return reply.code(err.statusCode).type('application/json').send({ code: err.code, message: err.message });
    }
    const e = err as Error & { statusCode?: number; code?: string };
    const status = e.statusCode ?? 500;
    req.log.error({ err: e, url: req.url, status }, 'webhook failed');
    return reply.code(status).send({ code: e.code ?? 'WH_ERR_INTERNAL', message: status < 500 ? e.message : 'internal error' });
  });

  app.get('/version', async () => version);

  const conversations = new MemoryConversationStore();
  const record = registerRecordMode(app, {
    config,
    logger,
    providers,
    conversations,
    checkSignature,
    publicBase: (req) => publicBase(config.publicBaseUrl, req.headers),
    ...(fetchRecording ? { fetchRecording } : {}),
  });

  app.post('/webhook/incoming_call', async (req, reply) => {
    checkSignature(req);
    const form = formOf(req);
    const callSid = form['CallSid'];
    if (!callSid) throw new WebhookError('WH_ERR_MISSING_CALL_SID');
    const base = publicBase(config.publicBaseUrl, req.headers);
    const mediaDown = config.callMode === 'AUTO' && mediaProbe !== undefined && !mediaProbe.up;
    if (config.callMode === 'RECORD' || mediaDown) {
      req.log.info({ event: 'INCOMING_CALL', callSid, from: form['From'], to: form['To'], mode: 'RECORD', mediaDown }, 'incoming call: answering in RECORD mode');
      return reply.type('text/xml').send(await record.startTwiml(req, callSid, mediaDown ? 'media-down' : 'forced'));
    }
    req.log.info({ event: 'INCOMING_CALL', callSid, from: form['From'], to: form['To'], base, mode: 'WS' }, 'incoming call: answering with <Connect><Stream>');
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
      outcomes.set({ callSid: sid, streamSid: form['StreamSid'] ?? '', endedBy: `twilio-${event}`, closeCode: 0 });
    }
    req.log.info(
      { event: EVENTS.STREAM_STATUS, signed, callSid: form['CallSid'], streamSid: form['StreamSid'], streamEvent: form['StreamEvent'], streamError: form['StreamError'] },
      `stream status ${form['StreamEvent'] ?? '(none)'}`,
    );
    return reply.code(204).send();
  });

  /** A JSON body from our media worker, signed with CALL_TOKEN_SECRET; throws WebhookError otherwise. */
  const internalBody = <T extends { callSid?: unknown }>(req: FastifyRequest): T => {
    const body = typeof req.body === 'string' ? req.body : '';
    const sig = req.headers['x-internal-signature'];
    if (!isValidInternalSignature(config.callTokenSecret, body, Array.isArray(sig) ? sig[0] : sig)) throw new WebhookError('WH_ERR_INTERNAL_SIGNATURE');
    try {
      const parsed = JSON.parse(body) as T;
      if (typeof parsed.callSid === 'string') return parsed;
    } catch {
      /* falls through */
    }
    throw new WebhookError('WH_ERR_BAD_OUTCOME');
  };

  app.post('/internal/conversation', async (req, reply) => {
    const { callSid, history } = internalBody<{ callSid: string; history?: StreamOutcome['history'] }>(req);
    if (Array.isArray(history)) conversations.set(callSid, history);
    return reply.code(204).send();
  });

  app.post('/internal/stream-outcome', async (req, reply) => {
    const outcome = internalBody<StreamOutcome>(req);
    if (typeof outcome.endedBy !== 'string') throw new WebhookError('WH_ERR_BAD_OUTCOME');
    outcomes.set(outcome);
    req.log.info({ event: 'STREAM_OUTCOME', callSid: outcome.callSid, streamSid: outcome.streamSid, endedBy: outcome.endedBy, closeCode: outcome.closeCode }, 'stream outcome recorded');
    return reply.code(204).send();
  });

  app.post('/webhook/stream_ended', async (req, reply) => {
    checkSignature(req);
    const callSid = formOf(req)['CallSid'];
    if (!callSid) throw new WebhookError('WH_ERR_MISSING_CALL_SID');
    const outcome = await outcomes.waitFor(callSid, outcomeWaitMs);
    const endedBy = outcome?.endedBy ?? 'unknown';
    if (endedBy === 'agent-end') {
      req.log.info({ event: 'STREAM_ENDED', callSid, endedBy, action: 'hangup' }, 'stream ended by the agent: hanging up');
      return reply.type('text/xml').send(hangupTwiml());
    }
    if (endedBy === 'transfer' && outcome?.transferTo) {
      req.log.info({ event: 'STREAM_ENDED', callSid, endedBy, action: 'dial' }, 'transferring the caller');
      return reply.type('text/xml').send(dialTwiml(outcome.transferTo));
    }
    if (config.callMode === 'WS') {
      req.log.info({ event: 'STREAM_ENDED', callSid, endedBy, action: 'none' }, 'stream ended without a deliberate end (CALL_MODE=WS: no fallback)');
      return reply.code(204).send();
    }
    if (outcome?.history?.length) conversations.set(callSid, outcome.history);
    req.log.warn({ event: EVENTS.FALLBACK_RECORD, callSid, endedBy, turns: outcome?.history?.length ?? 0 }, 'stream ended without a deliberate end: continuing in RECORD mode');
    return reply.type('text/xml').send(await record.startTwiml(req, callSid, 'stream-failed'));
  });

  return app;
}
