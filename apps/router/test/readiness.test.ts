// /readyz: ready only once media and webhooks answer; not while either is down or hung, nor once the router drains.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import { startReadiness, type Readiness } from '../src/readiness';
import { waitUntil } from '../../../test-support/wait-until';

async function target(status = 200): Promise<{ url: string; server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => res.writeHead(status).end('{"ok":true}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/healthz`, server, port };
}

function stopped(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

const watch = (t: { teardown(fn: () => void): void }, r: Readiness) => t.teardown(() => r.stop());

t.test('starting until both targets have answered, then ready', async (t) => {
  const media = await target();
  const webhooks = await target();
  t.teardown(() => Promise.all([stopped(media.server), stopped(webhooks.server)]));
  const r = startReadiness({ mediaHealthUrl: media.url, webhooksHealthUrl: webhooks.url, everyMs: 50, staleMs: 300 });
  watch(t, r);
  t.same(r.state(), { ready: false, reasons: ['starting'] }, 'nothing has answered yet');
  await waitUntil('ready', () => r.state().ready, 2000);
  t.same(r.state(), { ready: true, reasons: [] });
});

t.test('a media worker that stops listening is down at once; a hung one once its answers are stale', async (t) => {
  const media = await target();
  const webhooks = await target();
  t.teardown(() => stopped(webhooks.server));
  const r = startReadiness({ mediaHealthUrl: media.url, webhooksHealthUrl: webhooks.url, everyMs: 50, staleMs: 300 });
  watch(t, r);
  await waitUntil('ready', () => r.state().ready, 2000);
  await stopped(media.server);
  const closedAt = Date.now();
  await waitUntil('media-down', () => r.state().reasons.includes('media-down'), 2000);
  t.ok(Date.now() - closedAt < 300, `refused connections count at once (${Date.now() - closedAt} ms), before staleness`);

  // a hung worker: accepts, never answers
  const hung = net.createServer((s) => s.on('error', () => undefined));
  await new Promise<void>((r2) => hung.listen(0, '127.0.0.1', r2));
  t.teardown(() => new Promise<void>((r2) => hung.close(() => r2())));
  const r2 = startReadiness({ mediaHealthUrl: `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}/healthz`, webhooksHealthUrl: webhooks.url, everyMs: 50, staleMs: 300, timeoutMs: 100 });
  watch(t, r2);
  await waitUntil('webhooks answered', () => !r2.state().reasons.includes('webhooks-down') && r2.state().reasons.length === 1, 2000);
  t.same(r2.state().reasons, ['starting'], 'a worker that never answered keeps the stack "starting", never ready');
});

t.test('webhooks down is not ready; the router draining is never ready again', async (t) => {
  const media = await target();
  const webhooks = await target();
  t.teardown(() => stopped(media.server));
  const r = startReadiness({ mediaHealthUrl: media.url, webhooksHealthUrl: webhooks.url, everyMs: 50, staleMs: 300 });
  watch(t, r);
  await waitUntil('ready', () => r.state().ready, 2000);
  await stopped(webhooks.server);
  await waitUntil('webhooks-down', () => r.state().reasons.includes('webhooks-down'), 2000);
  r.draining();
  t.match(r.state(), { ready: false, reasons: ['draining', 'webhooks-down'] });
});
