// The console's access rules through inject(): loopback-only without a password, login and session cookie, CSRF, brute-force limit.
import t from 'tap';
import { Writable } from 'node:stream';
import { loadConfig } from '@tva/config';
import { createLogger } from '@tva/logging';
import { DtmfOnlySttProvider, EspeakTtsProvider, ScriptedLlmProvider } from '@tva/providers';
import type { RecordsStore } from '@tva/records';
import { buildApp } from '../apps/webhooks/src/build-app';
import { LiveCalls } from '../apps/webhooks/src/live-calls';

const offline = { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: new EspeakTtsProvider() };
const PASSWORD = 'correct horse battery staple';

/** Only what the console's routes call; an erase of 'CAgone' finds nothing. */
const fakeRecords = {
  driver: 'sqlite',
  location: ':memory:',
  listCalls: async () => ({ calls: [], nextCursor: null }),
  getCall: async () => undefined,
  erase: async (sid: string) => sid !== 'CAgone',
  overview: async () => [],
} as unknown as RecordsStore;

function appWith(env: Record<string, string>) {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const app = buildApp({ config: loadConfig(env), logger: createLogger({ service: 'webhooks', destination: sink }), providers: offline, records: fakeRecords, liveCalls: new LiveCalls() });
  t.teardown(() => app.close());
  return app;
}

const remote = { 'x-forwarded-for': '203.0.113.7' };

t.test('without CONSOLE_PASSWORD the console answers loopback clients only, and says how to enable it', async (t) => {
  const app = appWith({});
  const local = await app.inject({ url: '/console', headers: { host: '127.0.0.1:8080' } });
  t.equal(local.statusCode, 200);
  t.match(local.body, /<meta name="csrf-token" content="[^"]+">/);
  t.equal((await app.inject({ url: '/api/calls', headers: { host: 'localhost:8080' } })).statusCode, 200);

  const page = await app.inject({ url: '/console/live', headers: remote });
  t.equal(page.statusCode, 403);
  t.match(page.body, /CONSOLE_PASSWORD/);
  const api = await app.inject({ url: '/api/calls', headers: remote });
  t.equal(api.statusCode, 403);
  t.equal(api.json().code, 'WH_ERR_CONSOLE_LOOPBACK');
  // DNS rebinding: a loopback address asked for by another site's name.
  t.equal((await app.inject({ url: '/api/live', headers: { host: 'evil.example:8080' } })).statusCode, 403);
  t.equal((await app.inject({ method: 'POST', url: '/api/softphone/token', headers: remote })).statusCode, 403);
});

t.test('with CONSOLE_PASSWORD every console route needs a session; login sets an HttpOnly SameSite=Strict cookie', async (t) => {
  const app = appWith({ CONSOLE_PASSWORD: PASSWORD });
  for (const url of ['/console', '/console/live', '/console/calls/CA1', '/console/overview', '/console/assets/console.js']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 303, url);
    t.equal(res.headers.location, '/console/login');
  }
  for (const url of ['/api/calls', '/api/calls/CA1', '/api/overview', '/api/live', '/api/live/events', '/api/session']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 401, url);
    t.equal(res.json().code, 'WH_ERR_CONSOLE_AUTH');
  }
  t.equal((await app.inject({ method: 'POST', url: '/api/softphone/token' })).statusCode, 401);
  t.equal((await app.inject({ method: 'DELETE', url: '/api/calls/CA1' })).statusCode, 401);

  const login = await app.inject({ url: '/console/login' });
  t.equal(login.statusCode, 200);
  t.match(login.body, /type="password"/);

  const wrong = await app.inject({ method: 'POST', url: '/console/login', payload: 'password=nope', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(wrong.statusCode, 401);
  t.notOk(wrong.headers['set-cookie']);

  const ok = await app.inject({ method: 'POST', url: '/console/login', payload: new URLSearchParams({ password: PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(ok.statusCode, 303);
  const setCookie = String(ok.headers['set-cookie']);
  t.match(setCookie, /^tva_console=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  const cookie = setCookie.split(';')[0] as string;

  const shell = await app.inject({ url: '/console/calls', headers: { cookie } });
  t.equal(shell.statusCode, 200);
  t.match(shell.headers['content-security-policy'], /script-src 'self'/);
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(shell.body)?.[1] as string;
  t.ok(csrf);
  t.equal((await app.inject({ url: '/api/calls?number=4567&endedBy=fallback', headers: { cookie } })).statusCode, 200);
  t.equal((await app.inject({ url: '/api/calls?endedBy=bogus', headers: { cookie } })).json().code, 'WH_ERR_CONSOLE_BAD_QUERY');

  // A tampered cookie is no session.
  const forged = cookie.replace(/^tva_console=\d+/, 'tva_console=99999999999999');
  t.equal((await app.inject({ url: '/api/calls', headers: { cookie: forged } })).statusCode, 401);

  await t.test('mutations need the session CSRF token and a same-origin Origin', async (t) => {
    const del = (headers: Record<string, string>) => app.inject({ method: 'DELETE', url: '/api/calls/CA1', headers: { cookie, ...headers } });
    t.equal((await del({})).json().code, 'WH_ERR_CONSOLE_CSRF');
    t.equal((await del({ 'x-csrf-token': 'guess' })).statusCode, 403);
    t.equal((await del({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).statusCode, 403);
    t.equal((await del({ 'x-csrf-token': csrf, origin: 'http://localhost:80' })).statusCode, 204);
    t.equal((await app.inject({ method: 'DELETE', url: '/api/calls/CAgone', headers: { cookie, 'x-csrf-token': csrf } })).json().code, 'WH_ERR_CONSOLE_NO_CALL');
    t.equal((await app.inject({ method: 'POST', url: '/api/softphone/token', headers: { cookie } })).statusCode, 403);
    const token = await app.inject({ method: 'POST', url: '/api/softphone/token', headers: { cookie, 'x-csrf-token': csrf } });
    t.equal(token.statusCode, 200);
    t.ok(token.json().token);
  });

  await t.test('logout revokes the session', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: '/console/logout', headers: { cookie, 'x-csrf-token': csrf } })).statusCode, 204);
    t.equal((await app.inject({ url: '/api/calls', headers: { cookie } })).statusCode, 401);
  });
});

t.test('failed logins are limited per address: then even the right password is refused', async (t) => {
  const app = appWith({ CONSOLE_PASSWORD: PASSWORD });
  const attempt = (password: string, ip = '198.51.100.9') =>
    app.inject({ method: 'POST', url: '/console/login', payload: new URLSearchParams({ password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip } });
  for (let i = 0; i < 10; i++) t.equal((await attempt(`guess${i}`)).statusCode, 401);
  const limited = await attempt(PASSWORD);
  t.equal(limited.statusCode, 429);
  t.equal(limited.headers['retry-after'], '900');
  t.equal((await attempt(PASSWORD, '198.51.100.10')).statusCode, 303, 'another address is not affected');
});

t.test('a cross-site login form post is refused', async (t) => {
  const app = appWith({ CONSOLE_PASSWORD: PASSWORD });
  const res = await app.inject({ method: 'POST', url: '/console/login', payload: `password=${encodeURIComponent(PASSWORD)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' } });
  t.equal(res.statusCode, 403);
});
