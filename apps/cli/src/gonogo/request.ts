// A tiny HTTP(S) client for gonogo: status, body and time, never hanging.
import http from 'node:http';
import https from 'node:https';

export interface Response {
  status: number;
  body: string;
  ms: number;
}

export function request(url: string, opts: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Response> {
  const started = process.hrtime.bigint();
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    const req = lib.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: { ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...opts.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.setTimeout(opts.timeoutMs ?? 10000, () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ status: 0, body: `connection failed: ${err.message}`, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    req.end(body);
  });
}
