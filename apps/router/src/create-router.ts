// The router: answers /healthz itself, sends /ws/* upgrades to the media worker and all other HTTP to webhooks.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from '@tva/logging';
import { EVENTS } from '@tva/logging';
import { forwardedHeaders } from './forwarded-headers';

export interface RouterOptions {
  mediaTarget: string; // http://127.0.0.1:MEDIA_PORT
  webhooksTarget: string; // http://127.0.0.1:WEBHOOKS_PORT
  upgradeTimeoutMs: number;
  proxyTimeoutMs: number;
  logger: Logger;
}

/** What happened to one upgrade; `done` once a 101 or any answer reached the client. */
interface UpgradeState {
  upgraded: boolean;
  answered: boolean;
  startedAt: number;
  deadline?: NodeJS.Timeout;
  proxyReq?: http.ClientRequest;
}

const HEALTH_BODY = 'ok';

function writeStatus(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed || !socket.writable) return;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
}

export function createRouter(opts: RouterOptions): http.Server {
  const { logger } = opts;
  const proxy = createProxyServer({ proxyTimeout: opts.proxyTimeoutMs, ws: true });
  const upgrades = new WeakMap<Duplex, UpgradeState>();

  // why: without an `error` listener a dead target throws out of the router (see design.md pitfalls).
  proxy.on('error', (err, _req, target) => {
    logger.error({ event: EVENTS.PROXY_ERROR, err: err.message, code: (err as NodeJS.ErrnoException).code }, 'proxy error');
    if (target instanceof http.ServerResponse) return;
    (target as Duplex | undefined)?.destroy();
  });

  proxy.on('proxyReqWs', (proxyReq, _req, socket) => {
    const state = upgrades.get(socket);
    if (!state) return;
    state.proxyReq = proxyReq;
    // why: this listener is attached before http-proxy's own, so the flag is set before any bytes go to the client.
    proxyReq.on('upgrade', (_res, proxySocket) => {
      state.upgraded = true;
      state.answered = true;
      clearTimeout(state.deadline);
      // why: a client that left before the 101 would otherwise leave the worker a session nobody will ever close.
      if (socket.destroyed) proxySocket.destroy();
    });
    proxyReq.on('response', () => {
      state.answered = true;
      clearTimeout(state.deadline);
    });
  });

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store', 'content-length': HEALTH_BODY.length });
      res.end(req.method === 'HEAD' ? undefined : HEALTH_BODY);
      return;
    }
    if (path?.startsWith('/internal/')) {
      // why: /internal/* is for our own processes on loopback; the public port never reaches it.
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const started = Date.now();
    Object.assign(req.headers, forwardedHeaders(req.headers, false, req.socket.remoteAddress));
    proxy.web(req, res, { target: opts.webhooksTarget }, (err) => {
      const timedOut = (err as NodeJS.ErrnoException).code === 'ECONNRESET' && Date.now() - started >= opts.proxyTimeoutMs - 50;
      const status = timedOut ? 504 : 502;
      logger.error(
        { event: EVENTS.PROXY_ERROR, target: 'webhooks', path, status, err: err.message, code: (err as NodeJS.ErrnoException).code },
        timedOut ? 'webhooks did not answer in time' : 'webhooks unreachable',
      );
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
        res.end(timedOut ? 'webhooks timeout' : 'webhooks unavailable');
      } else {
        res.destroy();
      }
    });
  });

  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // why: a client reset before the 101 emits `error` on this socket; unhandled it would crash the router.
    socket.on('error', (err) => logger.warn({ event: EVENTS.PROXY_ERROR, path, err: err.message }, 'client socket error during upgrade'));
    if (!path.startsWith('/ws/')) {
      logger.warn({ event: EVENTS.WS_REJECT, path, status: 404 }, 'upgrade refused: not a /ws/ path');
      writeStatus(socket, 404, 'not found');
      return;
    }
    const state: UpgradeState = { upgraded: false, answered: false, startedAt: Date.now() };
    upgrades.set(socket, state);
    const fail = (why: string, err?: Error) => {
      if (state.upgraded) {
        // why: after the 101 the socket speaks WebSocket; HTTP written into it would corrupt the stream (Twilio 31924).
        // end() (not destroy) lets a close frame the worker already sent reach the client; destroy only if it lingers.
        logger.warn({ event: EVENTS.PROXY_ERROR, path, err: err?.message }, 'media worker connection lost mid-stream');
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
        return;
      }
      if (state.answered) return;
      state.answered = true;
      logger.error({ event: EVENTS.PROXY_ERROR, target: 'media', path, status: 503, why, err: err?.message, ms: Date.now() - state.startedAt }, 'upgrade failed');
      clearTimeout(state.deadline);
      writeStatus(socket, 503, 'media worker unavailable');
      state.proxyReq?.destroy();
    };
    state.deadline = setTimeout(() => fail('media worker did not answer the upgrade in time'), opts.upgradeTimeoutMs);
    socket.once('close', () => {
      clearTimeout(state.deadline);
      if (!state.upgraded) state.proxyReq?.destroy();
    });
    Object.assign(req.headers, forwardedHeaders(req.headers, false, req.socket.remoteAddress));
    proxy.ws(req, socket, head, { target: opts.mediaTarget }, (err) => fail('media worker unreachable', err));
  });

  server.on('clientError', (err, socket) => {
    logger.warn({ event: EVENTS.PROXY_ERROR, err: err.message }, 'bad client request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  server.on('close', () => proxy.close());
  return server;
}
