// Bench helper in its own process (so its timings are not the bench's busy event loop), one of two modes:
//   node console-load.js probe BASE_URL EVERY_MS   — POSTs /webhook/incoming_call every EVERY_MS ms, records each latency;
//   node console-load.js pages BASE_URL N REFRESH_MS — N console pages: each holds /api/live/events (SSE) and every
//                                                      REFRESH_MS ms reloads the calls list, one call's page and the overview.
// Both print one JSON line when stdin closes. Access: the bench stack has no CONSOLE_PASSWORD, so the console answers
// loopback clients asking for a loopback Host — which is what 127.0.0.1:<router port> is.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';

const [mode, base = 'http://127.0.0.1:8080', a = '200', b = '2000'] = process.argv.slice(2);
let running = true;
const stopped = new Promise<void>((resolve) => {
  process.stdin.on('end', () => {
    running = false;
    resolve();
  });
});
process.stdin.resume();

function request(path: string, method = 'GET', body?: string): Promise<{ status: number; body: string; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`timeout after 5000 ms: ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function probe(everyMs: number): Promise<void> {
  // why: like the /healthz poller, the prober should not queue for CPU behind the load it measures.
  try {
    os.setPriority(0, -10);
  } catch {
    /* unprivileged: normal priority */
  }
  const latencies: number[] = [];
  const failures: string[] = [];
  while (running) {
    const form = new URLSearchParams({
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      AccountSid: `AC${'0'.repeat(32)}`,
      From: '+972500000001',
      To: '+972300000000',
      CallStatus: 'ringing',
      Direction: 'inbound',
    }).toString();
    try {
      const r = await request('/webhook/incoming_call', 'POST', form);
      latencies.push(r.ms);
      if (r.status !== 200 || !r.body.includes('<Response>')) failures.push(`${r.status} ${r.body.slice(0, 120)}`);
    } catch (err) {
      failures.push((err as Error).message);
    }
    await sleep(everyMs);
  }
  process.stdout.write(`${JSON.stringify({ latencies, failures })}\n`);
}

interface PageStats {
  requests: number;
  errors: string[];
  latencies: number[];
  sseEvents: number;
  sseBytes: number;
  sseOpen: number;
}

function holdStream(stats: PageStats): () => void {
  let req: http.ClientRequest | undefined;
  const open = (): void => {
    if (!running) return;
    req = http.get(`${base}/api/live/events`, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        stats.errors.push(`SSE ${res.statusCode}`);
        res.resume();
        return;
      }
      stats.sseOpen += 1;
      let buf = '';
      res.on('data', (c: Buffer) => {
        stats.sseBytes += c.length;
        buf += c.toString();
        const messages = buf.split('\n\n');
        buf = messages.pop() ?? '';
        for (const m of messages) if (m.startsWith('event: ')) stats.sseEvents += 1;
      });
      res.on('close', () => {
        stats.sseOpen -= 1;
        if (running) {
          stats.errors.push('SSE closed by the server');
          setTimeout(open, 500);
        }
      });
    });
    req.on('error', (err) => {
      if (running) stats.errors.push(`SSE: ${err.message}`);
    });
  };
  open();
  return () => req?.destroy();
}

async function page(index: number, refreshMs: number, stats: PageStats): Promise<void> {
  const close = holdStream(stats);
  // why: pages spread over the refresh period, like people who opened them at different times.
  await sleep((index * refreshMs) / Number(a));
  const get = async (path: string): Promise<string | undefined> => {
    stats.requests += 1;
    try {
      const r = await request(path);
      stats.latencies.push(r.ms);
      if (r.status !== 200) stats.errors.push(`${path.split('?')[0]}: ${r.status} ${r.body.slice(0, 120)}`);
      return r.status === 200 ? r.body : undefined;
    } catch (err) {
      stats.errors.push(`${path.split('?')[0]}: ${(err as Error).message}`);
      return undefined;
    }
  };
  while (running) {
    const list = await get('/api/calls?limit=50');
    let sid: string | undefined;
    try {
      const parsed = list ? (JSON.parse(list) as { calls?: Array<{ callSid?: string }> }) : undefined;
      sid = parsed?.calls?.[index % Math.max(1, parsed.calls.length)]?.callSid;
    } catch {
      /* counted as an error by get() if it was not 200 */
    }
    if (sid) await get(`/api/calls/${sid}`);
    await get('/api/overview');
    await Promise.race([sleep(refreshMs), stopped]);
  }
  close();
}

async function pages(n: number, refreshMs: number): Promise<void> {
  const stats: PageStats = { requests: 0, errors: [], latencies: [], sseEvents: 0, sseBytes: 0, sseOpen: 0 };
  let sseMaxOpen = 0;
  const watch = setInterval(() => (sseMaxOpen = Math.max(sseMaxOpen, stats.sseOpen)), 100);
  await Promise.all(Array.from({ length: n }, (_, i) => page(i, refreshMs, stats)));
  clearInterval(watch);
  process.stdout.write(`${JSON.stringify({ ...stats, sseMaxOpen, errors: stats.errors.slice(0, 20), errorCount: stats.errors.length })}\n`);
}

if (mode === 'probe') void probe(Number(a));
else if (mode === 'pages') void pages(Number(a), Number(b));
else {
  process.stderr.write('usage: console-load.js probe BASE_URL EVERY_MS | pages BASE_URL N REFRESH_MS\n');
  process.exit(2);
}
