// Webhooks' internal listener (127.0.0.1:INTERNAL_PORT, never proxied): the media worker's signed outcome and conversation notices.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '@tva/config';
import { EVENTS, type Logger } from '@tva/logging';
import { INTERNAL_PATHS, INTERNAL_SIGNATURE_HEADER, isValidInternalSignature, parseCallFeedBatch, parseConversationNotice, parseStreamOutcome } from '@tva/security';
import type { CallOutcomes } from './call-outcomes';
import type { CallRecorder } from './call-recorder';
import type { ConversationStore } from './record';
import { WebhookError, replyWithWebhookError } from './webhook-errors';

export interface InternalAppDeps {
  config: Pick<Config, 'callTokenSecret'>;
  logger: Logger;
  /** Shared with the public app: stream_ended reads what arrives here. */
  outcomes: CallOutcomes;
  conversations: ConversationStore;
  /** Writes the media worker's call feed to the records and live calls; absent: the feed is accepted and dropped. */
  recorder?: CallRecorder;
}

// why: a notice carries the whole conversation (up to 200 turns of Hebrew text), well over the public 64 KiB.
const INTERNAL_BODY_LIMIT = 1024 * 1024;

/** Builds the internal app (no listen). Its routes exist on no other listener, so nothing the router forwards can reach them. */
export function buildInternalApp({ config, logger, outcomes, conversations, recorder }: InternalAppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: INTERNAL_BODY_LIMIT, trustProxy: false });
  app.removeAllContentTypeParsers();
  // why: notices are signed over their exact bytes, so the body stays a string until the signature is checked.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler(replyWithWebhookError);
  app.setNotFoundHandler((req, reply) => replyWithWebhookError(new WebhookError('WH_ERR_NOT_FOUND'), req, reply));

  /** The signed JSON body, parsed; throws WebhookError when unsigned, badly signed, or not JSON. */
  const signedJson = (req: FastifyRequest): unknown => {
    const body = typeof req.body === 'string' ? req.body : '';
    const sig = req.headers[INTERNAL_SIGNATURE_HEADER];
    if (!isValidInternalSignature(config.callTokenSecret, body, Array.isArray(sig) ? sig[0] : sig)) throw new WebhookError('WH_ERR_INTERNAL_SIGNATURE');
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw new WebhookError('WH_ERR_BAD_NOTICE');
    }
  };

  app.post(INTERNAL_PATHS.conversation, async (req, reply) => {
    const notice = parseConversationNotice(signedJson(req));
    if (!notice) throw new WebhookError('WH_ERR_BAD_NOTICE');
    conversations.set(notice.callSid, notice.history);
    return reply.code(204).send();
  });

  // why: answered after the batch is written, so a 204 means "in the records"; the sender never waits on it in the audio path.
  // why logLevel warn: batches come ~10 times a second during calls; two request lines each would drown the log.
  app.post(INTERNAL_PATHS.callFeed, { logLevel: 'warn' }, async (req, reply) => {
    const batch = parseCallFeedBatch(signedJson(req));
    if (!batch) throw new WebhookError('WH_ERR_BAD_NOTICE');
    await recorder?.feed(batch);
    return reply.code(204).send();
  });

  app.post(INTERNAL_PATHS.streamOutcome, async (req, reply) => {
    const outcome = parseStreamOutcome(signedJson(req));
    if (!outcome) throw new WebhookError('WH_ERR_BAD_NOTICE');
    outcomes.set(outcome);
    req.log.info(
      { event: EVENTS.STREAM_OUTCOME, callSid: outcome.callSid, streamSid: outcome.streamSid, endedBy: outcome.endedBy, code: outcome.code, closeCode: outcome.closeCode },
      'stream outcome recorded',
    );
    return reply.code(204).send();
  });

  return app;
}
