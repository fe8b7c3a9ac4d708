// The router: answers /healthz itself, sends /ws/* upgrades to the media worker and all other HTTP to webhooks.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import { WEBHOOK_BODY_LIMIT_BYTES } from '@tva/config';
import type { Logger } from '@tva/logging';
import { EVENTS } from '@tva/logging';
import { BodyLimit, declaredTooLarge } from './body-limit';
import { setForwardedHeaders } from './forwarded-headers';
import { parseRequestTarget } from './request-target';
import { METRICS_PATH } from './metrics';
import { ROUTER_ERRORS, errorBody, statusOf, type RouterErrorCode } from './router-errors';
import { UpgradedStreams } from './upgraded-streams';

export interface RouterOptions {
  mediaTarget: string; // http://127.0.0.1:MEDIA_PORT
  webhooksTarget: string; // http://127.0.0.1:WEBHOOKS_PORT
  upgradeTimeoutMs: number;
  proxyTimeoutMs: number;
  /** Proxy hops in front of the router whose X-Forwarded-* are trusted (TRUST_PROXY); 0 = none. */
  trustProxy: number;
  /** The whole request (headers and body) must have arrived by then, else 408. Default REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** Default WEBHOOK_BODY_LIMIT_BYTES. */
  bodyLimitBytes?: number;
  logger: Logger;
  /** Answers GET/HEAD /readyz from this (see readiness.ts); unset, /readyz says ready whenever the router runs. */
  readiness?: () => { ready: boolean; reasons: readonly string[] };
  /** Answers GET/HEAD /metrics (see metrics.ts); unset, /metrics goes to webhooks like any other path. */
  metrics?: (req: http.IncomingMessage, res: http.ServerResponse) => void;
}

export interface Router {
  server: http.Server;
  /** Stops listening; lets live streams and requests run up to `graceMs`, then cuts what is left. */
  shutdown(graceMs: number): Promise<void>;
}

/** Twilio's webhooks arrive in a packet or two: a request still incomplete after this is stalled or shorter than it said. */
export const REQUEST_TIMEOUT_MS = 3000;
/** After one side of a stream closes, the other may flush (a close frame) this long before it is destroyed. */
const STREAM_LINGER_MS = 1000;
const HEALTH_BODY = 'ok';
/** Socket errors that mean the client went away (reset, closed, or was ended while data was still flowing). */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_STREAM_DESTROYED']);

/** What happened to one upgrade; `answered` once a 101 or any answer reached the client. */
interface UpgradeState {
  upgraded: boolean;
  answered: boolean;
  startedAt: number;
  deadline?: NodeJS.Timeout;
  proxyReq?: http.ClientRequest;
}

/** A forwarded body: refused once it grew past the limit; its request to webhooks, to abort then. */
interface BodyState {
  refused: boolean;
  proxyReq?: http.ClientRequest;
}

/** Plain HTTP, decided from the request line and headers alone. */
type Decision = { refuse: RouterErrorCode } | { answer: 'health' | 'ready' | 'options' | 'metrics' } | { forward: string };

/** Answers on a socket that has no ServerResponse (upgrade, CONNECT, parse errors), then closes it for good. */
function writeRefusal(socket: Duplex, code: RouterErrorCode): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = statusOf(code);
  const body = errorBody(code);
  // why: destroy once flushed: a half-closed socket (allowHalfOpen) waits for a FIN an attacker never sends.
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

function respond(res: http.ServerResponse, code: RouterErrorCode, close = true): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(code);
  res.writeHead(statusOf(code), { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(close ? { connection: 'close' } : {}) });
  res.end(body);
}

export function createRouter(opts: RouterOptions): Router {
  const { logger } = opts;
  const bodyLimit = opts.bodyLimitBytes ?? WEBHOOK_BODY_LIMIT_BYTES;
  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const proxy = createProxyServer({ proxyTimeout: opts.proxyTimeoutMs, ws: true });
  const upgrades = new WeakMap<Duplex, UpgradeState>();
  const bodies = new WeakMap<http.IncomingMessage, BodyState>();
  const inflight = new WeakMap<Duplex, http.ServerResponse>();
  /** Sockets whose body was refused with 413 and is being read to its end (or to the request timeout). */
  const draining = new WeakSet<Duplex>();
  const streams = new UpgradedStreams(STREAM_LINGER_MS);

  /** A client mistake: one warn line with its code, never a stack. */
  const reject = (code: RouterErrorCode, req: http.IncomingMessage | undefined, extra: Record<string, unknown> = {}) =>
    logger.warn({ event: EVENTS.ROUTER_REJECT, code, status: statusOf(code), method: req?.method, target: req?.url?.slice(0, 200), ...extra }, ROUTER_ERRORS[code].message);

  // why: without an `error` listener a dead target throws out of the router (http-proxy re-emits it with no listener).
  proxy.on('error', (err, _req, target) => {
    const errno = (err as NodeJS.ErrnoException).code;
    // why: a caller hanging up mid-stream surfaces here as a reset or a write after end; that is the client's doing, not ours.
    if (errno !== undefined && CLIENT_GONE.has(errno)) logger.warn({ event: EVENTS.PROXY_ERROR, code: 'ROUTER_ERR_CLIENT_GONE', errno, err: err.message }, ROUTER_ERRORS.ROUTER_ERR_CLIENT_GONE.message);
    else logger.error({ event: EVENTS.PROXY_ERROR, code: 'ROUTER_ERR_PROXY', errno, err: err.message }, ROUTER_ERRORS.ROUTER_ERR_PROXY.message);
    if (target instanceof http.ServerResponse) return;
    (target as Duplex | undefined)?.destroy();
  });

  proxy.on('proxyReq', (proxyReq, req) => {
    const body = bodies.get(req);
    if (!body) return;
    body.proxyReq = proxyReq;
    if (body.refused) proxyReq.destroy();
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
      else streams.link(socket, proxySocket);
    });
    proxyReq.on('response', () => {
      state.answered = true;
      clearTimeout(state.deadline);
    });
  });

  // why: a socket closed while the client still sends makes the client's kernel see a reset, which can discard the
  // 413 before it is read. So the rest of the body is read and dropped (a lingering close), bounded by the request timeout.
  // A client still waiting for 100-continue sends no body: its connection is simply closed.
  const refuseBody = (req: http.IncomingMessage, res: http.ServerResponse, extra: Record<string, unknown>) => {
    reject('ROUTER_ERR_BODY_TOO_LARGE', req, { limit: bodyLimit, ...extra });
    const awaitingContinue = req.headers['expect'] !== undefined;
    if (!awaitingContinue) {
      draining.add(req.socket);
      req.once('end', () => draining.delete(req.socket));
      req.resume();
    }
    respond(res, 'ROUTER_ERR_BODY_TOO_LARGE', awaitingContinue);
  };

  const decide = (req: http.IncomingMessage): Decision => {
    const target = parseRequestTarget(req.method, req.url);
    if (!target.ok) return { refuse: target.code };
    if (target.kind === 'asterisk') return { answer: 'options' };
    if (target.path === '/healthz') return { answer: 'health' };
    if (target.path === '/readyz') return { answer: 'ready' };
    if (target.path === METRICS_PATH && opts.metrics && (req.method === 'GET' || req.method === 'HEAD')) return { answer: 'metrics' };
    if (declaredTooLarge(req.headers['content-length'], bodyLimit)) return { refuse: 'ROUTER_ERR_BODY_TOO_LARGE' };
    return { forward: target.url };
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, url: string) => {
    // why: route and forward the same path: http-proxy would otherwise re-parse the raw one (and drop dot segments).
    req.url = url;
    setForwardedHeaders(req.headers, req.socket.remoteAddress, opts.trustProxy);
    // why: a 100-continue was already answered here; webhooks must not be asked again.
    delete req.headers['expect'];
    inflight.set(req.socket, res);
    const body: BodyState = { refused: false };
    bodies.set(req, body);
    const limited = new BodyLimit(bodyLimit);
    req.pipe(limited);
    limited.once('error', () => {
      body.refused = true;
      body.proxyReq?.destroy();
      req.unpipe(limited);
      refuseBody(req, res, { chunked: true });
    });
    const started = Date.now();
    proxy.web(req, res, { target: opts.webhooksTarget, buffer: limited }, (err) => {
      const errno = (err as NodeJS.ErrnoException).code;
      if (body.refused || req.socket.destroyed) {
        logger.debug({ event: EVENTS.PROXY_ERROR, target: 'webhooks', err: err.message, code: errno }, 'request to webhooks abandoned (client left or refused)');
        return;
      }
      const timedOut = errno === 'ECONNRESET' && Date.now() - started >= opts.proxyTimeoutMs - 50;
      const code = timedOut ? 'ROUTER_ERR_WEBHOOKS_TIMEOUT' : 'ROUTER_ERR_WEBHOOKS_UNAVAILABLE';
      logger.error({ event: EVENTS.PROXY_ERROR, code, target: 'webhooks', path: req.url, status: statusOf(code), err: err.message, errno }, ROUTER_ERRORS[code].message);
      respond(res, code);
    });
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, decision: Decision) => {
    if ('refuse' in decision && decision.refuse === 'ROUTER_ERR_BODY_TOO_LARGE') {
      refuseBody(req, res, { contentLength: req.headers['content-length'] });
    } else if ('refuse' in decision) {
      reject(decision.refuse, req);
      respond(res, decision.refuse);
    } else if ('forward' in decision) {
      forward(req, res, decision.forward);
    } else if (decision.answer === 'health') {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store', 'content-length': HEALTH_BODY.length });
      res.end(req.method === 'HEAD' ? undefined : HEALTH_BODY);
    } else if (decision.answer === 'ready') {
      const state = opts.readiness?.() ?? { ready: true, reasons: [] };
      const body = JSON.stringify(state);
      res.writeHead(state.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else if (decision.answer === 'metrics') {
      opts.metrics?.(req, res);
    } else {
      res.writeHead(204, { allow: 'GET, HEAD, POST, OPTIONS' });
      res.end();
    }
  };

  // why: Node checks a request only every connectionsCheckingInterval (30 s by default); a whole request that has
  // arrived is never timed out, however long webhooks then takes to answer it.
  const server = http.createServer(
    { requestTimeout: requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.max(50, Math.floor(requestTimeout / 10)) },
    (req, res) => handle(req, res, decide(req)),
  );

  // why: refuse an oversized body before the client sends it (curl asks first above 1 MB).
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const decision = decide(req);
    if ('forward' in decision) res.writeContinue();
    handle(req, res, decision);
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // why: a client reset before the 101 emits `error` on this socket; unhandled it would crash the router.
    socket.on('error', (err: NodeJS.ErrnoException) => logger.debug({ event: EVENTS.PROXY_ERROR, err: err.message, errno: err.code }, 'client socket error'));
    streams.track(socket);
    const target = parseRequestTarget(req.method, req.url);
    if (!target.ok || target.kind !== 'origin' || !target.path.startsWith('/ws/')) {
      const code = target.ok ? 'ROUTER_ERR_NOT_FOUND' : target.code;
      reject(code, req, { upgrade: true });
      writeRefusal(socket, code);
      return;
    }
    req.url = target.url;
    const path = target.path;
    const state: UpgradeState = { upgraded: false, answered: false, startedAt: Date.now() };
    upgrades.set(socket, state);
    const fail = (why: string, err?: Error) => {
      if (state.upgraded) {
        // why: after the 101 the socket speaks WebSocket; HTTP written into it would corrupt the stream (Twilio 31924).
        // The pair's link ends and then destroys the client socket.
        logger.warn({ event: EVENTS.PROXY_ERROR, code: 'ROUTER_ERR_STREAM_LOST', path, err: err?.message }, ROUTER_ERRORS.ROUTER_ERR_STREAM_LOST.message);
        return;
      }
      if (state.answered) return;
      state.answered = true;
      logger.error({ event: EVENTS.PROXY_ERROR, code: 'ROUTER_ERR_MEDIA_UNAVAILABLE', target: 'media', path, status: statusOf('ROUTER_ERR_MEDIA_UNAVAILABLE'), why, err: err?.message, ms: Date.now() - state.startedAt }, 'upgrade failed');
      clearTimeout(state.deadline);
      writeRefusal(socket, 'ROUTER_ERR_MEDIA_UNAVAILABLE');
      state.proxyReq?.destroy();
    };
    state.deadline = setTimeout(() => fail('media worker did not answer the upgrade in time'), opts.upgradeTimeoutMs);
    socket.once('close', () => {
      clearTimeout(state.deadline);
      if (!state.upgraded) state.proxyReq?.destroy();
    });
    setForwardedHeaders(req.headers, req.socket.remoteAddress, opts.trustProxy);
    proxy.ws(req, socket, head, { target: opts.mediaTarget }, (err) => fail('media worker unreachable', err));
  });

  // why: CONNECT (authority-form) is not ours to serve; without a listener Node would drop the socket silently.
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    reject('ROUTER_ERR_BAD_TARGET', req);
    writeRefusal(socket, 'ROUTER_ERR_BAD_TARGET');
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // why: a client reset, or a refused body that never ended: there is no one to answer, or the 413 was the answer.
    if (err.code === 'ECONNRESET' || !socket.writable || draining.has(socket)) {
      socket.destroy();
      return;
    }
    const code: RouterErrorCode =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'ROUTER_ERR_REQUEST_TIMEOUT' : err.code === 'HPE_HEADER_OVERFLOW' ? 'ROUTER_ERR_HEADERS_TOO_LARGE' : 'ROUTER_ERR_BAD_REQUEST';
    reject(code, undefined, { err: err.message, errno: err.code });
    // why: once webhooks' answer to this request has begun on the socket, nothing more may be written into it.
    const res = inflight.get(socket);
    if (res?.headersSent && !res.writableFinished) socket.destroy();
    else writeRefusal(socket, code);
  });

  server.on('close', () => proxy.close());

  const shutdown = async (graceMs: number): Promise<void> => {
    // why: server.close() (which also drops idle keep-alive connections) calls back only once every connection,
    // upgraded streams included, has closed.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
    if (await Promise.race([closed.then(() => false), expired])) {
      const cut = streams.destroyAll();
      server.closeAllConnections();
      logger.warn({ event: EVENTS.SHUTDOWN, code: 'ROUTER_ERR_GRACE_EXPIRED', streams: cut, graceMs }, ROUTER_ERRORS.ROUTER_ERR_GRACE_EXPIRED.message);
      await closed;
    }
    clearTimeout(timer);
  };

  return { server, shutdown };
}
