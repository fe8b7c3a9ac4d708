// The media worker's HTTP server: /healthz for probes, and WebSocket upgrades on /ws/twilio-media (Twilio) and /ws/softphone (the console's browser phone).
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { EVENTS, type Logger } from '@tva/logging';
import { CALL_TOKEN_ERRORS, firstForwarded, isValidTwilioSignature, PublicOriginError, publicOrigin, SOFTPHONE_STREAM_PATH, STREAM_PATH } from '@tva/security';
import { BrowserTokenCheck } from './browser-token-check';
import { CallSession, CLOSE, type CallSessionOptions } from './call-session';
import { CallTokenCheck } from './call-token-check';
import { MEDIA_ERRORS, type MediaErrorCode } from './media-errors';
import { MemoryUsedTokenStore, type UsedTokenStore } from './used-token-store';
import type { Agent } from './agents/agent';
import type { StreamOutcome } from './outcome-notifier';

export const MEDIA_PATH = STREAM_PATH;
export const TWILIO_SUBPROTOCOL = 'audio.twilio.com';

export interface MediaServerOptions {
  logger: Logger;
  maxPayload: number;
  startTimeoutMs: number;
  pingIntervalMs: number;
  createAgent(): Agent;
  onOutcome?(outcome: StreamOutcome): void;
  maxCalls: number;
  /**
   * Sockets that have not sent `start` yet, on a budget of their own (default max(64, maxCalls)): they never hold a
   * call slot, and when the budget is full the oldest one is closed (1008) to let the new upgrade in.
   */
  maxUnstarted?: number;
  /** Where used call tokens are remembered (default: memory only; the media worker uses a file under DATA_DIR). */
  usedTokens?: UsedTokenStore;
  /** When set, the upgrade must carry a valid X-Twilio-Signature and `start` a valid call token. */
  twilioAuthToken?: string | undefined;
  callTokenSecret: string;
  publicBaseUrl?: string | undefined;
  /** Other plain HTTP routes (GET /metrics, see metrics.ts): true when the request was answered. */
  extraRoutes?(req: http.IncomingMessage, res: http.ServerResponse): boolean;
}

export interface MediaServer {
  server: http.Server;
  sessions: Set<CallSession>;
  /**
   * Graceful shutdown: refuse new streams, let each call finish its current turn, then close it with 1001
   * `server-shutdown` so its <Connect action> carries it on in RECORD mode. Resolves when all are closed or at the deadline.
   */
  drain(deadlineMs: number): Promise<void>;
}

/** The URL Twilio signed for the upgrade: wss://PUBLIC_HOST/ws/twilio-media (the router forwards scheme and host). */
export function publicStreamUrl(publicBaseUrl: string | undefined, headers: http.IncomingHttpHeaders): string {
  return `${publicOrigin(publicBaseUrl, headers).replace(/^http/, 'ws')}${MEDIA_PATH}`;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
}

export function createMediaServer(opts: MediaServerOptions): MediaServer {
  const { logger } = opts;
  const sessions = new Set<CallSession>();
  const usedTokens = opts.usedTokens ?? new MemoryUsedTokenStore();
  const tokens = new CallTokenCheck(opts.callTokenSecret, usedTokens);
  const maxUnstarted = opts.maxUnstarted ?? Math.max(64, opts.maxCalls);
  const startedCalls = () => {
    let n = 0;
    for (const s of sessions) if (s.started) n += 1;
    return n;
  };
  const authenticateStart: CallSessionOptions['authenticateStart'] = async (callSid, params) => {
    const problem = opts.twilioAuthToken ? await tokens.check(callSid, params) : null;
    return problem ? { code: problem, closeCode: CALL_TOKEN_ERRORS[problem].closeCode } : null;
  };
  const browserTokens = new BrowserTokenCheck(opts.callTokenSecret, usedTokens);
  // why: a browser stream has no Twilio signature to show, so its one-time token is checked always, signatures on or off.
  const authenticateBrowserStart: CallSessionOptions['authenticateStart'] = async (callSid, params) => {
    const problem = await browserTokens.check(callSid, params);
    return problem ? { code: problem, closeCode: CALL_TOKEN_ERRORS[problem].closeCode } : null;
  };
  const admitStart: CallSessionOptions['admitStart'] = (callSid) => {
    for (const s of sessions) {
      // why: one stream per call; a second one naming a live call is a stranger (with signatures off, nothing else stops it).
      if (s.started && s.callSid === callSid) return { code: 'MEDIA_ERR_CALL_ALREADY_LIVE', closeCode: MEDIA_ERRORS.MEDIA_ERR_CALL_ALREADY_LIVE.closeCode, ownsCall: false };
    }
    if (startedCalls() >= opts.maxCalls) return { code: 'MEDIA_ERR_TOO_MANY_CALLS', closeCode: MEDIA_ERRORS.MEDIA_ERR_TOO_MANY_CALLS.closeCode, ownsCall: true };
    return null;
  };
  /**
   * Makes room for one more unstarted socket when the budget is full: closes the oldest waiting socket of the address
   * that holds the most of them (the newcomer counted). why: a flood of idle upgrades from one address then evicts its
   * own sockets, never a real caller's that is between its 101 and its `start`.
   */
  const makeRoomForUnstarted = (newcomer: string | undefined) => {
    let waiting = 0;
    for (const s of sessions) if (s.waiting) waiting += 1;
    if (waiting < maxUnstarted) return;
    const byAddress = new Map<string | undefined, CallSession[]>();
    for (const s of sessions) {
      if (!s.waiting) continue;
      const list = byAddress.get(s.remoteAddress) ?? [];
      list.push(s); // a Set iterates in insertion order: each list runs oldest first
      byAddress.set(s.remoteAddress, list);
    }
    let victim: CallSession | undefined;
    let most = 0;
    for (const [address, list] of byAddress) {
      const count = list.length + (address === newcomer ? 1 : 0);
      if (count > most) {
        most = count;
        victim = list[0];
      }
    }
    if (!victim) return;
    logger.warn(
      { event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_UNSTARTED_EVICTED' satisfies MediaErrorCode, waiting, maxUnstarted, fromAddress: most, ageMs: Date.now() - victim.startedAt, remote: victim.remoteAddress },
      'closing the oldest waiting stream of the address with the most streams that have not sent start',
    );
    victim.end(MEDIA_ERRORS.MEDIA_ERR_UNSTARTED_EVICTED.closeCode, 'start-refused', 'MEDIA_ERR_UNSTARTED_EVICTED');
  };
  let draining = false;
  // why: the event loop's delay is the media worker's real-time health; bench and probes read it here.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayload,
    perMessageDeflate: false,
    // why: Twilio's real upgrade offers no subprotocol; echo audio.twilio.com only when a client offers it.
    handleProtocols: (offered) => (offered.has(TWILIO_SUBPROTOCOL) ? TWILIO_SUBPROTOCOL : false),
  });

  const server = http.createServer((req, res) => {
    if (req.url === '/healthz' || req.url === '/healthz?reset=1') {
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      const body = {
        ok: true,
        calls: sessions.size,
        eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
        rssBytes: process.memoryUsage().rss,
        cpuUs: process.cpuUsage(),
      };
      if (req.url.endsWith('reset=1')) loopDelay.reset();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
      return;
    }
    if (opts.extraRoutes?.(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });

  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', (err: NodeJS.ErrnoException) => logger.warn({ event: EVENTS.WS_ERROR, code: 'MEDIA_ERR_SOCKET' satisfies MediaErrorCode, cause: err.code, err: err.message }, 'socket error during upgrade'));
    const path = (req.url ?? '/').split('?')[0];
    const browser = path === SOFTPHONE_STREAM_PATH;
    if (path !== MEDIA_PATH && !browser) {
      logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_PATH' satisfies MediaErrorCode, path, status: MEDIA_ERRORS.MEDIA_ERR_PATH.status }, 'upgrade refused: unknown path');
      refuse(socket, MEDIA_ERRORS.MEDIA_ERR_PATH.status, 'not found');
      return;
    }
    if (draining) {
      logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_DRAINING' satisfies MediaErrorCode, status: MEDIA_ERRORS.MEDIA_ERR_DRAINING.status }, 'upgrade refused: shutting down');
      refuse(socket, MEDIA_ERRORS.MEDIA_ERR_DRAINING.status, 'shutting down');
      return;
    }
    // why: only started calls count here; sockets that have not sent `start` (idle upgrades, stale ones released by a
    // worker resuming from a stall) are on their own budget below and can never lock real calls out.
    const calls = startedCalls();
    if (calls >= opts.maxCalls) {
      logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_TOO_MANY_CALLS' satisfies MediaErrorCode, calls, maxCalls: opts.maxCalls, status: MEDIA_ERRORS.MEDIA_ERR_TOO_MANY_CALLS.status }, 'upgrade refused: MAX_CALLS reached');
      refuse(socket, MEDIA_ERRORS.MEDIA_ERR_TOO_MANY_CALLS.status, 'too many calls');
      return;
    }
    if (opts.twilioAuthToken && !browser) {
      let url: string;
      try {
        url = publicStreamUrl(opts.publicBaseUrl, req.headers);
      } catch (err) {
        if (!(err instanceof PublicOriginError)) throw err;
        logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_BAD_HOST' satisfies MediaErrorCode, header: err.header, status: MEDIA_ERRORS.MEDIA_ERR_BAD_HOST.status }, 'upgrade refused: no valid public host to check the signature against');
        refuse(socket, MEDIA_ERRORS.MEDIA_ERR_BAD_HOST.status, 'bad request');
        return;
      }
      const sig = req.headers['x-twilio-signature'];
      if (!isValidTwilioSignature(opts.twilioAuthToken, Array.isArray(sig) ? sig[0] : sig, url)) {
        logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_SIGNATURE' satisfies MediaErrorCode, url, signed: Boolean(sig), status: MEDIA_ERRORS.MEDIA_ERR_SIGNATURE.status }, 'upgrade refused: X-Twilio-Signature does not match');
        refuse(socket, MEDIA_ERRORS.MEDIA_ERR_SIGNATURE.status, 'forbidden');
        return;
      }
    }
    // why: the router replaces X-Forwarded-For with the one client address it trusts, and only the router reaches
    // this loopback port; it goes into log lines and picks whose idle socket is evicted first.
    const remoteAddress = firstForwarded(req.headers['x-forwarded-for'])?.slice(0, 64) ?? req.socket.remoteAddress;
    makeRoomForUnstarted(remoteAddress);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new CallSession(ws, {
        logger,
        startTimeoutMs: opts.startTimeoutMs,
        pingIntervalMs: opts.pingIntervalMs,
        protocol: ws.protocol,
        remoteAddress,
        createAgent: opts.createAgent,
        direction: browser ? 'browser' : 'phone',
        authenticateStart: browser ? authenticateBrowserStart : authenticateStart,
        admitStart,
        onClose: (s) => sessions.delete(s),
        ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
      });
      sessions.add(session);
    });
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    logger.warn({ event: EVENTS.WS_ERROR, code: 'MEDIA_ERR_BAD_REQUEST' satisfies MediaErrorCode, cause: err.code, err: err.message }, 'bad client request');
    socket.destroy();
  });
  server.on('close', () => loopDelay.disable());

  const drain = async (deadlineMs: number): Promise<void> => {
    draining = true;
    server.close();
    const until = Date.now() + deadlineMs;
    logger.info({ event: EVENTS.DRAIN, calls: sessions.size, deadlineMs }, 'draining: finishing current turns, then handing calls to RECORD mode');
    while (sessions.size > 0 && Date.now() < until) {
      for (const s of sessions) if (s.idle) s.end(CLOSE.GOING_AWAY, 'server-shutdown');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const s of sessions) s.end(CLOSE.GOING_AWAY, 'server-shutdown');
    const hard = Date.now() + 1000;
    while (sessions.size > 0 && Date.now() < hard) await new Promise((r) => setTimeout(r, 20));
  };
  return { server, sessions, drain };
}
