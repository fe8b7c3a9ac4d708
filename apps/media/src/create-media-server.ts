// The media worker's HTTP server: /healthz for probes, and WebSocket upgrades on /ws/twilio-media only.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { EVENTS, type Logger } from '@tva/logging';
import { isValidTwilioSignature, publicOrigin } from '@tva/security';
import { CallSession, CLOSE } from './call-session';
import { CallTokenCheck } from './call-token-check';
import type { Agent } from './agents/agent';
import type { StreamOutcome } from './outcome-notifier';

export const MEDIA_PATH = '/ws/twilio-media';
export const TWILIO_SUBPROTOCOL = 'audio.twilio.com';

export interface MediaServerOptions {
  logger: Logger;
  maxPayload: number;
  startTimeoutMs: number;
  pingIntervalMs: number;
  createAgent(): Agent;
  onOutcome?(outcome: StreamOutcome): void;
  maxCalls: number;
  /** When set, the upgrade must carry a valid X-Twilio-Signature and `start` a valid call token. */
  twilioAuthToken?: string | undefined;
  callTokenSecret: string;
  publicBaseUrl?: string | undefined;
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
  const tokens = new CallTokenCheck(opts.callTokenSecret);
  const maxUnstarted = Math.max(2 * opts.maxCalls, 64);
  const startedCalls = () => {
    let n = 0;
    for (const s of sessions) if (s.started) n += 1;
    return n;
  };
  const authorizeStart = (callSid: string, params: Record<string, string>) => {
    if (startedCalls() >= opts.maxCalls) return { code: 'MEDIA_ERR_TOO_MANY_CALLS', closeCode: CLOSE.TRY_AGAIN_LATER };
    const problem = opts.twilioAuthToken ? tokens.check(callSid, params) : null;
    return problem ? { code: problem, closeCode: CLOSE.POLICY } : null;
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
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });

  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => logger.warn({ event: 'WS_ERROR', err: err.message }, 'socket error during upgrade'));
    const path = (req.url ?? '/').split('?')[0];
    if (path !== MEDIA_PATH) {
      logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_PATH', path, status: 404 }, 'upgrade refused: unknown path');
      refuse(socket, 404, 'not found');
      return;
    }
    if (draining) {
      logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_DRAINING', status: 503 }, 'upgrade refused: shutting down');
      refuse(socket, 503, 'shutting down');
      return;
    }
    const calls = startedCalls();
    // why: sockets that never send `start` (stale upgrades released by a worker resuming from a stall) must not hold
    // call slots; they get their own cap and expire after START_TIMEOUT_MS.
    if (calls >= opts.maxCalls || sessions.size - calls >= maxUnstarted) {
      logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_TOO_MANY_CALLS', calls, unstarted: sessions.size - calls, maxCalls: opts.maxCalls, status: 503 }, 'upgrade refused: MAX_CALLS reached');
      refuse(socket, 503, 'too many calls');
      return;
    }
    if (opts.twilioAuthToken) {
      const url = publicStreamUrl(opts.publicBaseUrl, req.headers);
      const sig = req.headers['x-twilio-signature'];
      if (!isValidTwilioSignature(opts.twilioAuthToken, Array.isArray(sig) ? sig[0] : sig, url)) {
        logger.warn({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_SIGNATURE', url, signed: Boolean(sig), status: 403 }, 'upgrade refused: X-Twilio-Signature does not match');
        refuse(socket, 403, 'forbidden');
        return;
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new CallSession(ws, {
        logger,
        startTimeoutMs: opts.startTimeoutMs,
        pingIntervalMs: opts.pingIntervalMs,
        protocol: ws.protocol,
        remoteAddress: req.headers['x-forwarded-for']?.toString() ?? req.socket.remoteAddress,
        createAgent: opts.createAgent,
        authorizeStart,
        onClose: (s) => sessions.delete(s),
        ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
      });
      sessions.add(session);
    });
  });

  server.on('clientError', (err, socket) => {
    logger.warn({ event: 'WS_ERROR', err: err.message }, 'bad client request');
    socket.destroy();
  });
  server.on('close', () => loopDelay.disable());

  const drain = async (deadlineMs: number): Promise<void> => {
    draining = true;
    server.close();
    const until = Date.now() + deadlineMs;
    logger.info({ event: 'DRAIN', calls: sessions.size, deadlineMs }, 'draining: finishing current turns, then handing calls to RECORD mode');
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
