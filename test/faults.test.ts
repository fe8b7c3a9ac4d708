// Router faults under real pm2: media worker SIGKILLed or hung (SIGSTOP), webhooks killed, resets — health never fails.
import t from 'tap';
import net from 'node:net';
import WebSocket from 'ws';
import { twilioMessage } from '@tva/twilio-media-stream';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { httpRequest, postForm } from '../apps/cli/src/stack/http-get';
import { pollHealth } from '../apps/cli/src/stack/poll-health';
import { sid as twilioSid } from '../test-support/twilio-sids';
import { socketsTo } from '../test-support/proc-sockets';

/** A whole echo exchange through the router: returns the first message back, or throws. */
async function echoCall(stack: Stack, sid: string): Promise<string> {
  const ws = new WebSocket(stack.wsUrl);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const first = new Promise<string>((resolve, reject) => {
      ws.once('message', (d) => resolve(d.toString()));
      setTimeout(() => reject(new Error('no echo within 3 s')), 3000);
    });
    ws.send(twilioMessage.connected());
    ws.send(twilioMessage.start({ streamSid: sid, callSid: `CA${sid}`, accountSid: 'AC', customParameters: {}, sequenceNumber: 1 }));
    ws.send(twilioMessage.media({ streamSid: sid, sequenceNumber: 2, chunk: 1, timestamp: 0, payload: new Uint8Array(800).fill(7) }));
    return await first;
  } finally {
    ws.terminate();
  }
}

async function upgradeStatus(stack: Stack): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const ws = new WebSocket(stack.wsUrl);
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
      ws.terminate();
    });
    ws.on('open', () => {
      resolve({ status: 101, ms: Date.now() - started });
      ws.terminate();
    });
    ws.on('error', () => resolve({ status: 0, ms: Date.now() - started }));
  });
}

t.test('faults under pm2', async (t) => {
  const stack = await startStack({ AGENT: 'echo', UPGRADE_TIMEOUT_MS: '1000', PROXY_TIMEOUT_MS: '2000', MAX_CALLS: '3' });
  t.teardown(() => stack.stop());
  const routerPid = await stack.pidOf('router');
  t.ok(routerPid, 'router is running');
  // why: the first requests pay for JIT and connection setup; the 50 ms bound is about the router under faults.
  for (let i = 0; i < 20; i++) await httpRequest(`${stack.baseUrl}/healthz`);

  t.test('media worker SIGKILLed: /healthz stays 200 and fast, upgrades get 503 fast, pm2 restarts it, calls work again', async (t) => {
    const mediaPid = await stack.pidOf('media') as number;
    t.ok(mediaPid);
    // a live call first, so the kill happens mid-stream
    const live = new WebSocket(stack.wsUrl);
    await new Promise((r) => live.once('open', r));
    live.send(twilioMessage.connected());
    const liveClosed = new Promise<number>((r) => live.on('close', (c) => r(c)));
    live.on('error', () => undefined);

    const health = pollHealth(`${stack.baseUrl}/healthz`);
    // why: a baseline of polls before the kill; the poller is a separate process that reports only when stopped.
    await new Promise((r) => setTimeout(r, 200));
    process.kill(mediaPid, 'SIGKILL');
    const during = await upgradeStatus(stack);
    t.equal(await liveClosed, 1006, 'the live stream is destroyed, never written HTTP into');
    await stack.waitFor('a new media worker', async () => {
      const pid = await stack.pidOf('media');
      return pid !== undefined && pid !== mediaPid;
    });
    await stack.waitFor('media healthy', async () => (await httpRequest(`http://127.0.0.1:${stack.mediaPort}/healthz`).catch(() => ({ status: 0 }))).status === 200);
    // why: a measurement window, not a wait: /healthz keeps being timed while the new worker settles in.
    await new Promise((r) => setTimeout(r, 500));
    const h = await health.stop();
    t.comment(`healthz while media was killed and restarted: n=${h.n} p50=${h.p50.toFixed(1)} ms p99=${h.p99.toFixed(1)} ms max=${h.max.toFixed(1)} ms`);
    t.same(h.failures, [], 'every /healthz answered 200 ok');
    t.ok(h.max < 50, `every /healthz under 50 ms (max ${h.max.toFixed(1)} ms)`);
    t.ok(h.n >= 10, 'health was polled throughout');
    t.ok(during.status === 503 || during.status === 101, `an upgrade meanwhile: ${during.status}`);
    if (during.status === 503) t.ok(during.ms < 1000, `503 in ${during.ms} ms`);
    t.match(await echoCall(stack, 'MZafter'), /"streamSid":"MZafter"/, 'a new call works once it is back');
    t.equal(await stack.pidOf('router'), routerPid, 'the router never restarted');
  });

  t.test('MAX_CALLS: the extra stream is refused with 503 and a log line; a freed slot is usable again', async (t) => {
    const open = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const ws = new WebSocket(stack.wsUrl);
        await new Promise((r) => ws.once('open', r));
        ws.send(twilioMessage.connected());
        ws.send(twilioMessage.start({ streamSid: `MZcap${i}`, callSid: `CAcap${i}`, accountSid: 'AC', customParameters: {}, sequenceNumber: 1 }));
        return ws;
      }),
    );
    await stack.waitFor('three calls started', async () => stack.logs().filter((l) => l['event'] === 'WS_START' && String(l['streamSid']).startsWith('MZcap')).length === 3, 3000);
    const extra = await upgradeStatus(stack);
    t.equal(extra.status, 503);
    await stack.waitFor('refusal logged', () => stack.logs().some((l) => l['code'] === 'MEDIA_ERR_TOO_MANY_CALLS'), 3000);
    t.pass('logged with its code');
    open[0]?.close();
    await stack.waitFor('slot freed', async () => JSON.parse((await httpRequest(`http://127.0.0.1:${stack.mediaPort}/healthz`)).body).calls < 3, 3000);
    t.equal((await upgradeStatus(stack)).status, 101);
    open.forEach((ws) => ws.terminate());
  });

  t.test('webhooks SIGKILLed: 502 fast, /healthz 200, pm2 brings it back', async (t) => {
    const pid = await stack.pidOf('webhooks') as number;
    process.kill(pid, 'SIGKILL');
    await stack.waitFor('webhooks gone', () => httpRequest(`http://127.0.0.1:${stack.webhooksPort}/version`, { timeoutMs: 300 }).then(() => false, () => true), 2000);
    const res = await postForm(`${stack.baseUrl}/webhook/incoming_call`, { CallSid: twilioSid('CA', 'x') });
    if (res.status !== 200) {
      t.equal(res.status, 502);
      t.ok(res.ms < 1000, `502 in ${res.ms.toFixed(0)} ms`);
    } else {
      t.pass('pm2 restarted webhooks before the request (fast restart)');
    }
    const health = await httpRequest(`${stack.baseUrl}/healthz`);
    t.equal(health.status, 200);
    await stack.waitFor('webhooks back', async () => (await httpRequest(`${stack.baseUrl}/version`).catch(() => ({ status: 0 }))).status === 200);
    t.not(await stack.pidOf('webhooks'), pid, 'a new webhooks process');
    t.equal(await stack.pidOf('router'), routerPid, 'the router never restarted');
  });

  t.test('media worker hung (SIGSTOP): the upgrade deadline answers 503; resets before the 101 do not hurt the router; /readyz says so', async (t) => {
    const pid = await stack.pidOf('media') as number;
    // why: the subtest before restarted webhooks; readiness follows it within a probe or two.
    await stack.waitFor('/readyz 200 before the stall', async () => (await httpRequest(`${stack.baseUrl}/readyz`)).status === 200, 8000);
    t.pass('/readyz is 200 while all is well');
    process.kill(pid, 'SIGSTOP');
    t.teardown(() => {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    });
    const health = pollHealth(`${stack.baseUrl}/healthz`);
    const hung = await upgradeStatus(stack);
    t.equal(hung.status, 503);
    t.ok(hung.ms >= 900 && hung.ms < 2500, `503 after ${hung.ms} ms (deadline 1000)`);
    for (let i = 0; i < 10; i++) {
      const proxied = socketsTo(routerPid as number, stack.mediaPort);
      const sock = net.connect(stack.port, '127.0.0.1');
      sock.on('error', () => undefined);
      sock.write('GET /ws/twilio-media HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      // the reset lands on an upgrade in flight: the router has taken it and opened its socket to the stopped worker
      await stack.waitFor(`upgrade #${i} proxied to the worker`, () => [...socketsTo(routerPid as number, stack.mediaPort)].some((s) => !proxied.has(s)), 3000);
      sock.resetAndDestroy();
    }
    // why: /readyz is what a load balancer reads to stop sending new calls here; a hung worker is down once its
    // answers are 3.5 s stale, while /healthz (liveness) stays 200.
    await stack.waitFor('/readyz 503 media-down', async () => {
      const r = await httpRequest(`${stack.baseUrl}/readyz`);
      return r.status === 503 && (JSON.parse(r.body) as { reasons: string[] }).reasons.includes('media-down');
    }, 8000);
    t.pass('/readyz answered 503 media-down while the worker was hung');
    const h = await health.stop();
    t.same(h.failures, [], '/healthz answered 200 throughout');
    process.kill(pid, 'SIGCONT');
    await stack.waitFor('/readyz 200 again', async () => (await httpRequest(`${stack.baseUrl}/readyz`)).status === 200, 8000);
    // the resumed worker also accepts the stale upgrades queued while it was stopped; they must not block real calls
    t.match(await echoCall(stack, 'MZcont'), /"streamSid":"MZcont"/, 'calls work again once the worker resumes');
    t.equal(await stack.pidOf('router'), routerPid, 'the router never restarted');
  });
});
