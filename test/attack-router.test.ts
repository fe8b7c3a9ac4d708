// Attacks on the public port under real pm2: crafted request-targets, socket leaks, bodies, forwarded headers, shutdown.
import t from 'tap';
import { readdirSync } from 'node:fs';
import WebSocket from 'ws';
import type net from 'node:net';
import { TIMINGS } from '@tva/config';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { socketsTo } from '../test-support/proc-sockets';
import { errorCode, postBody, rawForm, rawRequest, rawUpgradeRequest, rawWebSocket, WS_CLOSE_FRAME, WS_GARBAGE, wsPings } from '../test-support/raw-http';

/** Open file descriptors of a process (sockets included). */
const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/** GET /version from a given loopback address (every 127.x.y.z is this machine), with extra headers. */
const versionFrom = (stack: Stack, localAddress: string, headers: Record<string, string> = {}) =>
  rawRequest(stack.port, rawForm('GET', '/version', '', headers), { localAddress });

const routerLines = (stack: Stack) => stack.logs().filter((l) => l['service'] === 'router');

t.test('attacks through the router (TRUST_PROXY=0)', async (t) => {
  const stack = await startStack({ AGENT: 'echo', WEBHOOK_RATE_LIMIT: '5' });
  let stopped = false;
  t.teardown(() => (stopped ? undefined : stack.stop()));

  t.test('1.1 no request-target reaches an internal handler: dot segments, encodings, absolute-form', async (t) => {
    const from = { localAddress: '127.0.0.11' };
    const attacks = [
      'POST /x/../internal/stream-outcome',
      'POST /webhook/%2e%2e/internal/stream-outcome',
      'POST /webhook/%2E%2E/internal/stream-outcome',
      'POST /./internal/stream-outcome',
      'POST /webhook/..%2finternal/stream-outcome',
      'POST /webhook\\..\\internal\\stream-outcome',
      'POST //internal/stream-outcome',
      `POST http://127.0.0.1:${stack.webhooksPort}/internal/stream-outcome`,
      `POST http://127.0.0.1:${stack.internalPort}/internal/stream-outcome`,
      `CONNECT 127.0.0.1:${stack.internalPort}`,
      'GET *',
    ];
    const body = JSON.stringify({ callSid: 'CA00000000000000000000000000000000', endedBy: 'agent' });
    for (const line of attacks) {
      const [method = '', target = ''] = line.split(' ');
      const res = await rawRequest(stack.port, rawForm(method, target, method === 'POST' ? body : ''), from);
      t.equal(res.status, 400, `${line} → 400 ${errorCode(res.text) ?? ''}`);
    }
    const up = await rawRequest(stack.port, rawUpgradeRequest('/ws/../internal/stream-outcome'), from);
    t.equal(up.status, 400, 'an upgrade with a dot segment → 400');
    // an encoded letter is not a dot segment: routed and forwarded as /internal/…, which the public listener has not
    const encoded = await rawRequest(stack.port, rawForm('POST', '/%69nternal/stream-outcome', body), from);
    t.equal(encoded.status, 404, '/%69nternal/… → 404 from webhooks\' public listener');
    await stack.logged((l) => l['service'] === 'webhooks' && JSON.stringify(l).includes('/internal/stream-outcome'));
    const reached = stack.logs().filter((l) => l['event'] === 'STREAM_OUTCOME' || /^WH_ERR_(INTERNAL_SIGNATURE|BAD_NOTICE)$/.test(String(l['code'])));
    t.same(reached, [], 'no internal handler ran (no outcome, no internal signature check)');
    const refusals = routerLines(stack).filter((l) => l['event'] === 'ROUTER_REJECT' && l['status'] === 400);
    t.ok(refusals.length >= attacks.length + 1, `each refusal logged (${refusals.length})`);
    t.ok(refusals.every((l) => l['level'] === 'warn' && /^ROUTER_ERR_/.test(String(l['code'])) && !('stack' in l)), 'at warn, with a code, one line');
  });

  t.test('1.6 a 20 MB form gets 413 (not 502), a growing chunked body too, a short body 408 (not 504 after 10 s)', async (t) => {
    const before = stack.logs().length;
    const big = await postBody(stack.port, '/webhook/stream_status?attack=content-length', Buffer.alloc(20 * 1024 * 1024, 'a'));
    t.equal(big.status, 413, `20 MB by Content-Length → 413 (${big.error ?? 'answered'} in ${big.ms} ms)`);
    t.equal(errorCode(big.body), 'ROUTER_ERR_BODY_TOO_LARGE');
    const chunked = await postBody(stack.port, '/webhook/stream_status?attack=chunked', Array.from({ length: 50 }, () => Buffer.alloc(4096, 'b')));
    t.equal(chunked.status, 413, `200 KiB chunked → 413 (${chunked.error ?? 'answered'})`);
    const short = await rawRequest(
      stack.port,
      'POST /webhook/stream_status?attack=short HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nCallSid=CA1',
      { timeoutMs: 12000, localAddress: '127.0.0.12' },
    );
    t.equal(short.status, 408, 'a body shorter than its Content-Length → 408');
    t.ok(short.ms < 5000, `answered in ${short.ms} ms`);
    const mine = () => stack.logs().slice(before).filter((l) => l['service'] === 'router');
    const rejects = () => mine().filter((l) => l['event'] === 'ROUTER_REJECT');
    // why: log lines reach us through pm2's pipe, a little after the answers.
    await stack.waitFor('three refusal lines', () => rejects().length >= 3, 3000).catch(() => undefined);
    const codes = rejects().map((l) => l['code']);
    t.same(codes.sort(), ['ROUTER_ERR_BODY_TOO_LARGE', 'ROUTER_ERR_BODY_TOO_LARGE', 'ROUTER_ERR_REQUEST_TIMEOUT'], 'one warn line each, with its code');
    t.same(mine().filter((l) => l['level'] === 'error'), [], 'nothing at error in the router');
    t.notOk(stack.logs().some((l) => l['service'] === 'webhooks' && JSON.stringify(l).includes('attack=content-length')), 'the 20 MB body was never forwarded');
  });

  t.test('1.7 X-Forwarded-For from a client is ignored: rotating it does not dodge the limit, naming another address does not limit it', async (t) => {
    const rotating = [];
    for (let i = 0; i < 8; i++) rotating.push((await versionFrom(stack, '127.0.0.21', { 'X-Forwarded-For': `10.9.0.${i}` })).status);
    t.same(rotating, [200, 200, 200, 200, 200, 429, 429, 429], `rotating X-Forwarded-For is limited on the peer address: ${rotating.join(' ')}`);
    const framing = [];
    for (let i = 0; i < 7; i++) framing.push((await versionFrom(stack, '127.0.0.22', { 'X-Forwarded-For': '127.0.0.23' })).status);
    t.equal(framing.at(-1), 429, 'the client naming 127.0.0.23 is itself limited');
    t.equal((await versionFrom(stack, '127.0.0.23')).status, 200, '127.0.0.23 is not limited by another client\'s header');
  });

  t.test('1.5 ping bursts, then garbage, a close or a reset, leave no fd behind in the router', async (t) => {
    const pid = (await stack.pidOf('router')) as number;
    const baseline = fds(pid);
    for (let i = 0; i < 3; i++) {
      // a half-closed raw client answers the worker's close frame only after the router ended the stream
      const sock: net.Socket = await rawWebSocket(stack.port, '/ws/twilio-media', { allowHalfOpen: true });
      const workerSide = socketsTo(pid, stack.mediaPort); // the router's socket to the worker for this stream
      if (workerSide.size === 0) throw new Error('the router holds no socket to the worker for a live stream');
      sock.resume();
      sock.write(Buffer.concat([wsPings(1000), WS_GARBAGE]));
      await stack.waitFor('the router to end the stream', () => sock.readableEnded, 5000);
      // The answer must arrive after the router has taken its pipes down (it does so on the worker's FIN): its
      // worker-side socket closed means the pipe into it is gone.
      await stack.waitFor('the router to close its worker socket', () => ![...socketsTo(pid, stack.mediaPort)].some((s) => workerSide.has(s)), 5000);
      sock.end(WS_CLOSE_FRAME);
      await stack.waitFor('the socket closed', () => sock.closed, 5000).catch(() => sock.destroy());
    }
    for (const ending of ['garbage', 'close', 'reset'] as const) {
      for (let i = 0; i < 3; i++) {
        const ws = new WebSocket(stack.wsUrl);
        ws.on('error', () => undefined);
        await new Promise((r) => ws.once('open', r));
        const raw = (ws as unknown as { _socket: net.Socket })._socket;
        for (let n = 0; n < 1000; n++) ws.ping();
        if (ending === 'garbage') raw.write(WS_GARBAGE);
        if (ending === 'close') ws.close();
        if (ending === 'reset') {
          raw.pause(); // pongs unread
          raw.resetAndDestroy();
        }
        await stack.waitFor(`${ending} #${i} closed`, () => ws.readyState === WebSocket.CLOSED, 5000).catch(() => ws.terminate());
      }
    }
    await stack.waitFor('the router\'s fds back to the baseline', () => fds(pid) <= baseline, 5000).catch(() => undefined);
    t.ok(fds(pid) <= baseline, `router fds ${fds(pid)} (baseline ${baseline}) after 12 bursts`);
  });

  t.test('1.5 shutdown with live streams: the router exits within its kill_timeout, never SIGKILLed', async (t) => {
    const pid = (await stack.pidOf('router')) as number;
    const live = await Promise.all([0, 1].map(() => new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(stack.wsUrl);
      ws.on('error', () => undefined);
      ws.once('open', () => resolve(ws));
    })));
    const silent = await rawWebSocket(stack.port, '/ws/twilio-media', { allowHalfOpen: true }); // never reads, never closes
    silent.pause();
    await stack.stop();
    stopped = true;
    live.forEach((ws) => ws.terminate());
    silent.destroy();
    const out = stack.output();
    t.notMatch(out, new RegExp(`pid ${pid} still alive after`), 'pm2 never had to SIGKILL the router');
    const shutdown = routerLines(stack).filter((l) => l['event'] === 'SHUTDOWN');
    const last = shutdown.find((l) => l['msg'] === 'stopped');
    t.ok(last, 'the router logged that it stopped');
    t.ok(Number(last?.['ms']) < TIMINGS.routerKillTimeoutMs, `within its kill_timeout (${String(last?.['ms'])} ms < ${TIMINGS.routerKillTimeoutMs})`);
    t.notOk(shutdown.some((l) => l['msg'] === 'drain took too long; exiting'), 'its drain finished by itself (no forced exit)');
  });
});

t.test('1.7 TRUST_PROXY=1: the proxy\'s right-most X-Forwarded-For entry is the rate-limit key', async (t) => {
  const stack = await startStack({ AGENT: 'echo', WEBHOOK_RATE_LIMIT: '5', TRUST_PROXY: '1' });
  t.teardown(() => stack.stop());
  const statuses = [];
  for (let i = 0; i < 7; i++) statuses.push((await versionFrom(stack, '127.0.0.31', { 'X-Forwarded-For': `10.8.0.${i}, 198.51.100.7` })).status);
  t.same(statuses, [200, 200, 200, 200, 200, 429, 429], `one client behind the proxy, left entries rotated: ${statuses.join(' ')}`);
  t.equal((await versionFrom(stack, '127.0.0.31', { 'X-Forwarded-For': '198.51.100.8' })).status, 200, 'another client behind the same proxy is not limited');
});
