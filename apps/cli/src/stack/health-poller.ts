// A separate process that polls /healthz and reports each latency, so the measurement is not the caller's own event loop.
// Usage: node health-poller.js URL [everyMs]; prints one JSON line {latencies, failures} when stdin closes.
import http from 'node:http';
import os from 'node:os';

// why: like the router, the prober should not queue behind a booting worker for CPU; where not permitted it runs as is.
try {
  os.setPriority(0, -10);
} catch {
  /* unprivileged: normal priority */
}

const url = process.argv[2] ?? 'http://127.0.0.1:8080/healthz';
const everyMs = Number(process.argv[3] ?? 20);
const latencies: number[] = [];
const failures: string[] = [];
let running = true;

function once(): Promise<void> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (res.statusCode !== 200 || body !== 'ok') failures.push(`${res.statusCode} ${body}`);
        resolve();
      });
    });
    req.setTimeout(1000, () => req.destroy(new Error('timeout after 1000 ms')));
    req.on('error', (err) => {
      failures.push(err.message);
      resolve();
    });
  });
}

async function loop(): Promise<void> {
  while (running) {
    await once();
    await new Promise((r) => setTimeout(r, everyMs));
  }
  process.stdout.write(`${JSON.stringify({ latencies, failures })}\n`);
}

process.stdin.on('end', () => (running = false));
process.stdin.resume();
void loop();
