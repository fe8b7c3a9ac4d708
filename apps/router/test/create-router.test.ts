// The router against real fake targets: health in-process, 502/503 fast on dead targets, deadlines, resets, mid-stream deaths.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '@tva/logging';
import { createRouter } from '../src/create-router';
import { freePort } from '../../cli/src/stack/free-port';
import { httpRequest } from '../../cli/src/stack/http-get';

const lines: Array<Record<string, unknown>> = [];
const logger = createLogger({
  service: 'router',
  destination: new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  }),
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

/** A TCP server that accepts and never answers: a hung target. */
async function hungTarget(t: { teardown(fn: () => void): void }): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  const port = await listen(server);
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return port;
}

async function routerTo(mediaPort: number, webhooksPort: number, t: { teardown(fn: () => void): void }) {
  const server = createRouter({
    mediaTarget: `http://127.0.0.1:${mediaPort}`,
    webhooksTarget: `http://127.0.0.1:${webhooksPort}`,
    upgradeTimeoutMs: 500,
    proxyTimeoutMs: 800,
    logger,
  });
  // why: a port freePort() just released can be handed straight back by listen(0); the router would then proxy to itself.
  let port = await freePort();
  while (port === mediaPort || port === webhooksPort) port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return port;
}

/** Sends a raw upgrade request and returns the first bytes answered (or '' if the socket closed silently). */
function rawUpgrade(port: number, path = '/ws/twilio-media', timeoutMs = 3000): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    let text = '';
    sock.on('data', (d) => (text += d.toString()));
    const done = () => resolve({ text, ms: Date.now() - started });
    sock.on('close', done);
    sock.on('error', () => undefined);
    setTimeout(() => sock.destroy(), timeoutMs);
  });
}

t.test('/healthz is answered by the router itself, even with both targets down', async (t) => {
  const port = await routerTo(await freePort(), await freePort(), t);
  const res = await httpRequest(`http://127.0.0.1:${port}/healthz`);
  t.equal(res.status, 200);
  t.equal(res.body, 'ok');
});

t.test('/internal/* is never reachable through the public port', async (t) => {
  const port = await routerTo(await freePort(), await freePort(), t);
  const res = await httpRequest(`http://127.0.0.1:${port}/internal/stream-outcome`, { method: 'POST', body: '{}' });
  t.equal(res.status, 404);
});

t.test('webhooks down → 502 within a second, logged', async (t) => {
  const port = await routerTo(await freePort(), await freePort(), t);
  const res = await httpRequest(`http://127.0.0.1:${port}/webhook/incoming_call`, { method: 'POST', body: 'CallSid=CA1' });
  t.equal(res.status, 502);
  t.ok(res.ms < 1000, `answered in ${res.ms.toFixed(0)} ms`);
  t.ok(lines.some((l) => l['event'] === 'PROXY_ERROR' && l['status'] === 502));
});

t.test('webhooks hung → 504 after the proxy timeout, not forever', async (t) => {
  const port = await routerTo(await freePort(), await hungTarget(t), t);
  const res = await httpRequest(`http://127.0.0.1:${port}/version`, { timeoutMs: 5000 });
  t.equal(res.status, 504);
  t.ok(res.ms >= 700 && res.ms < 2000, `answered in ${res.ms.toFixed(0)} ms`);
});

t.test('media worker down → upgrade gets 503 within a second', async (t) => {
  const port = await routerTo(await freePort(), await freePort(), t);
  const { text, ms } = await rawUpgrade(port);
  t.match(text, /^HTTP\/1.1 503/);
  t.ok(ms < 1000, `answered in ${ms} ms`);
});

t.test('media worker hung → the upgrade deadline answers 503', async (t) => {
  const port = await routerTo(await hungTarget(t), await freePort(), t);
  const { text, ms } = await rawUpgrade(port);
  t.match(text, /^HTTP\/1.1 503/);
  t.ok(ms >= 450 && ms < 1500, `answered after ${ms} ms (deadline 500)`);
});

t.test('an upgrade on a path outside /ws/ gets 404', async (t) => {
  const port = await routerTo(await freePort(), await freePort(), t);
  const { text } = await rawUpgrade(port, '/other');
  t.match(text, /^HTTP\/1.1 404/);
});

t.test('a client that resets before the 101 does not crash or hang the router', async (t) => {
  const port = await routerTo(await hungTarget(t), await freePort(), t);
  for (let i = 0; i < 20; i++) {
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', () => undefined);
    sock.write('GET /ws/twilio-media HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    await new Promise((r) => setTimeout(r, 5));
    sock.resetAndDestroy();
  }
  await new Promise((r) => setTimeout(r, 700));
  const res = await httpRequest(`http://127.0.0.1:${port}/healthz`);
  t.equal(res.status, 200, 'still healthy');
});

t.test('a worker dying mid-stream closes the client socket with no HTTP written into it', async (t) => {
  const httpSrv = http.createServer();
  const wss = new WebSocketServer({ server: httpSrv, handleProtocols: (p) => (p.has('audio.twilio.com') ? 'audio.twilio.com' : false) });
  const mediaPort = await listen(httpSrv);
  t.teardown(() => {
    wss.close();
    httpSrv.closeAllConnections();
    httpSrv.close();
  });
  wss.on('connection', (ws, req) => {
    ws.send(JSON.stringify({ proto: req.headers['x-forwarded-proto'], host: req.headers['x-forwarded-host'] }));
    ws.on('message', () => (ws as unknown as { _socket: net.Socket })._socket.destroy());
  });
  const port = await routerTo(mediaPort, await freePort(), t);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/twilio-media`, ['audio.twilio.com'], { headers: { 'x-forwarded-proto': 'https,http', host: 'agent.example.com' } });
  const first = await new Promise<string>((resolve, reject) => {
    ws.once('message', (d) => resolve(d.toString()));
    ws.once('error', reject);
  });
  t.equal(ws.protocol, 'audio.twilio.com', 'the subprotocol is echoed through the router');
  t.same(JSON.parse(first), { proto: 'https', host: 'agent.example.com' }, 'the public scheme (first of a chain) and host are forwarded');
  const errors: Error[] = [];
  ws.on('error', (e) => errors.push(e));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.send('trigger worker death');
  const code = await closed;
  t.equal(code, 1006, 'abnormal close, as from a dead peer');
  t.same(errors.map((e) => e.message).filter((m) => /Invalid WebSocket frame|HTTP/.test(m)), [], 'no HTTP bytes were parsed as frames');
  const res = await httpRequest(`http://127.0.0.1:${port}/healthz`);
  t.equal(res.status, 200, 'router still healthy');
});
