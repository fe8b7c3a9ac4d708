// POST /api/softphone/token: a console session gets a one-time, short-lived token for one browser call (the softphone).
import type { FastifyInstance } from 'fastify';
import { EVENTS, type Logger } from '@tva/logging';
import { createSoftphoneToken, newBrowserCallSid, SOFTPHONE_STREAM_PATH, SOFTPHONE_TOKEN_MAX_AGE_MS } from '@tva/security';

export const SOFTPHONE_TOKEN_ROUTE = '/api/softphone/token';

/** What the page gets: it opens `path` (through the router) and sends `start` with this CallSid and `call_token`. */
export interface SoftphoneTokenReply {
  callSid: string;
  token: string;
  path: string;
  expiresInMs: number;
}

export interface SoftphoneTokenDeps {
  /** CALL_TOKEN_SECRET: the media worker checks the token with the same key. */
  callTokenSecret: string;
  logger: Logger;
  now?: () => number;
}

/**
 * Registers the route on `app`, which must be the console's scope: only a logged-in (or loopback) session reaches
 * it, and its CSRF check applies (a POST). why POST: minting a token is a mutation a cross-site page must not trigger.
 */
export function registerSoftphoneToken(app: FastifyInstance, deps: SoftphoneTokenDeps): void {
  const now = deps.now ?? Date.now;
  app.post(SOFTPHONE_TOKEN_ROUTE, async (_req, reply) => {
    const callSid = newBrowserCallSid();
    const body: SoftphoneTokenReply = {
      callSid,
      token: createSoftphoneToken(deps.callTokenSecret, callSid, now()),
      path: SOFTPHONE_STREAM_PATH,
      expiresInMs: SOFTPHONE_TOKEN_MAX_AGE_MS,
    };
    deps.logger.info({ event: EVENTS.SOFTPHONE_TOKEN, callSid }, 'softphone token issued');
    void reply.header('cache-control', 'no-store');
    return body;
  });
}
