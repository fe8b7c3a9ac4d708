// Mounts the web console on the webhooks app: /console (pages, assets, login) and /api/* (JSON, SSE), behind one access check.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '@tva/config';
import type { Logger } from '@tva/logging';
import type { RecordsStore } from '@tva/records';
import type { LiveCalls } from '../live-calls';
import { clientKey } from '../rate-limiter';
import { WebhookError } from '../webhook-errors';
import { CSRF_HEADER, ConsoleSessions, LoginLimiter, SESSION_COOKIE, isHttps, isLoopbackRequest, readCookies, safeEqual, type ConsoleSession } from './console-auth';
import { registerConsoleApi } from './console-api';
import { CONSOLE_CSP, loginHtml, loopbackOnlyHtml, shellHtml } from './console-pages';
import { registerSoftphoneToken } from './softphone-token';

export interface ConsoleDeps {
  config: Pick<Config, 'callTokenSecret' | 'consolePassword' | 'consoleSessionHours' | 'proxyTimeoutMs'>;
  records?: RecordsStore | undefined;
  liveCalls?: LiveCalls | undefined;
  logger: Logger;
  /** The bundle's directory (console.js, console.css); default: @tva/console-web's dist/bundle. */
  assetsDir?: string;
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession?: ConsoleSession;
  }
}

const ASSET_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

function defaultAssetsDir(): string {
  try {
    return path.join(path.dirname(require.resolve('@tva/console-web/package.json')), 'dist', 'bundle');
  } catch {
    return path.resolve(__dirname, '../../../console-web/dist/bundle');
  }
}

/** The console's own paths; everything else on the app is untouched. */

const isPage = (req: FastifyRequest): boolean => !(req.routeOptions.url ?? req.url).startsWith('/api/');
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const fwdHost = req.headers['x-forwarded-host'];
  const host = (Array.isArray(fwdHost) ? fwdHost[0] : fwdHost) ?? req.headers.host;
  try {
    // why: the browser drops a default port from Origin ("http://localhost"), the Host header may keep it ("localhost:80").
    const o = new URL(origin);
    return host !== undefined && new URL(`${o.protocol}//${host}`).host === o.host;
  } catch {
    return false;
  }
}

export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const sessions = new ConsoleSessions(config.callTokenSecret, config.consolePassword, config.consoleSessionHours * 3_600_000, now);
  const limiter = new LoginLimiter(10, 100, 15 * 60_000, now);
  const assetsDir = deps.assetsDir ?? defaultAssetsDir();
  const assets = new Map<string, Buffer>();

  app.register(async (scope) => {
    scope.addHook('onSend', async (req, reply, payload) => {
      reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'same-origin');
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('x-frame-options', 'DENY');
      return payload;
    });

    // The one access check: every console route passes it except the login page itself.
    scope.addHook('onRequest', async (req, reply) => {
      const route = req.routeOptions.url ?? '';
      if (!sessions.passwordSet) {
        if (!isLoopbackRequest(req)) {
          if (isPage(req)) return reply.code(403).type('text/html; charset=utf-8').send(loopbackOnlyHtml());
          throw new WebhookError('WH_ERR_CONSOLE_LOOPBACK');
        }
        req.consoleSession = sessions.loopback();
      } else if (route === '/console/login') {
        return;
      } else {
        const session = sessions.verify(readCookies(req.headers.cookie)[SESSION_COOKIE]);
        if (!session) {
          if (isPage(req) && req.method === 'GET') return reply.redirect('/console/login', 303);
          throw new WebhookError('WH_ERR_CONSOLE_AUTH');
        }
        req.consoleSession = session;
      }
      // why: a custom header cannot be sent cross-site without a CORS preflight (which we never grant), and its value is this session's.
      if (MUTATING.has(req.method)) {
        const token = req.headers[CSRF_HEADER];
        if (!sameOrigin(req) || typeof token !== 'string' || !safeEqual(token, req.consoleSession.csrfToken)) throw new WebhookError('WH_ERR_CONSOLE_CSRF');
      }
    });

    const sendShell = async (req: FastifyRequest, reply: FastifyReply) => {
      const s = req.consoleSession as ConsoleSession;
      return reply.type('text/html; charset=utf-8').send(shellHtml(s.csrfToken, s.kind));
    };
    scope.get('/console', sendShell);
    scope.get('/console/*', sendShell);

    scope.get('/console/assets/:file', async (req, reply) => {
      const file = (req.params as { file: string }).file;
      const type = ASSET_TYPES[path.extname(file)];
      if (!type || !/^[a-z0-9.-]+$/.test(file)) throw new WebhookError('WH_ERR_NOT_FOUND');
      let body = assets.get(file);
      if (!body) {
        const full = path.join(assetsDir, file);
        if (!existsSync(full)) throw new WebhookError('WH_ERR_NOT_FOUND');
        body = readFileSync(full);
        assets.set(file, body);
      }
      return reply.type(type).header('cache-control', 'private, max-age=300').send(body);
    });

    scope.get('/console/login', async (req, reply) => {
      if (!sessions.passwordSet) return reply.redirect('/console', 303);
      if (sessions.verify(readCookies(req.headers.cookie)[SESSION_COOKIE])) return reply.redirect('/console', 303);
      return reply.type('text/html; charset=utf-8').send(loginHtml());
    });

    scope.post('/console/login', async (req, reply) => {
      if (!sessions.passwordSet) return reply.redirect('/console', 303);
      // why: login CSRF (logging a victim into our session) is refused by origin; the form itself carries no token.
      if (!sameOrigin(req)) throw new WebhookError('WH_ERR_CONSOLE_CSRF');
      const client = clientKey(req.headers['x-forwarded-for'], req.socket.remoteAddress);
      if (!limiter.allowed(client)) {
        req.log.warn({ code: 'WH_ERR_CONSOLE_LOGIN_LIMIT', client }, 'console: login refused, too many failures');
        return reply.code(429).header('retry-after', '900').type('text/html; charset=utf-8').send(loginHtml('Too many failed attempts. Wait 15 minutes and try again.'));
      }
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const password = typeof body['password'] === 'string' ? body['password'] : '';
      if (!sessions.checkPassword(password)) {
        limiter.fail(client);
        req.log.warn({ code: 'WH_ERR_CONSOLE_AUTH', client }, 'console: wrong password');
        return reply.code(401).type('text/html; charset=utf-8').send(loginHtml('Wrong password.'));
      }
      limiter.succeed(client);
      const { value, expiresAt } = sessions.issue();
      // why: round, not floor: the clock moves between issuing the session and writing the cookie.
      const maxAge = Math.round((expiresAt - now()) / 1000);
      reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${isHttps(req) ? '; Secure' : ''}`);
      req.log.info({ client }, 'console: logged in');
      return reply.redirect('/console', 303);
    });

    scope.post('/console/logout', async (req, reply) => {
      sessions.revoke(readCookies(req.headers.cookie)[SESSION_COOKIE]);
      reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${isHttps(req) ? '; Secure' : ''}`);
      return reply.code(204).send();
    });

    scope.get('/api/session', async (req) => {
      const s = req.consoleSession as ConsoleSession;
      return { auth: s.kind, csrfToken: s.csrfToken, records: deps.records ? deps.records.driver : null };
    });

    registerConsoleApi(scope, {
      records: deps.records,
      liveCalls: deps.liveCalls,
      heartbeatMs: Math.max(50, Math.min(5000, Math.floor(config.proxyTimeoutMs / 2))),
    });
    // The softphone's one-time token: inside the access check and the CSRF rule like every other change.
    registerSoftphoneToken(scope, { callTokenSecret: config.callTokenSecret, logger: deps.logger });
  });
}
