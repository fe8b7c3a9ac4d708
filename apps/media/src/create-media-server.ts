// The media worker's HTTP server: /healthz for probes, and WebSocket upgrades on /ws/twilio-media only.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { EVENTS, type Logger } from '@tva/logging';
import { CallSession } from './call-session';
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
}

export interface MediaServer {
  server: http.Server;
  sessions: Set<CallSession>;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
}

export function createMediaServer(opts: MediaServerOptions): MediaServer {
  const { logger } = opts;
  const sessions = new Set<CallSession>();
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
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new CallSession(ws, {
        logger,
        startTimeoutMs: opts.startTimeoutMs,
        pingIntervalMs: opts.pingIntervalMs,
        protocol: ws.protocol,
        remoteAddress: req.headers['x-forwarded-for']?.toString() ?? req.socket.remoteAddress,
        createAgent: opts.createAgent,
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
  return { server, sessions };
}
