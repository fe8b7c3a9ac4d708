// Test helpers: raw HTTP and WebSocket bytes over TCP (targets, bodies and frames an ordinary client would not send).
import http from 'node:http';
import net from 'node:net';

export interface RawAnswer {
  /** Everything the server sent before closing (or before the timeout). */
  text: string;
  /** The status of the first response line, 0 if none. */
  status: number;
  ms: number;
}

/** Sends `request` as bytes, then reads until the server closes or `timeoutMs` passes. */
export function rawRequest(port: number, request: string | Buffer, opts: { timeoutMs?: number; localAddress?: string } = {}): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, () => sock.write(request));
    let text = '';
    sock.on('data', (d) => (text += d.toString('latin1')));
    sock.on('error', () => undefined);
    const timer = setTimeout(() => sock.destroy(), opts.timeoutMs ?? 3000);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ text, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), ms: Date.now() - started });
    });
  });
}

/** A request line and headers (Host, Connection: close) with an optional form body and its exact Content-Length. */
export function rawForm(method: string, target: string, body = '', headers: Record<string, string> = {}): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body || method === 'POST') lines.push('Content-Type: application/x-www-form-urlencoded', `Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The `code` of a `{ code, message }` error body, if any. */
export function errorCode(text: string): string | undefined {
  return /"code":"([A-Z_]+)"/.exec(text)?.[1];
}

/** POSTs a form body given at once (Content-Length) or as chunks (chunked); resolves on the answer or the error. */
export function postBody(port: number, path: string, body: Buffer | Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string; ms: number; error?: string }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const done = (status: number, text: string, error?: string) => resolve({ status, body: text, ms: Date.now() - started, ...(error ? { error } : {}) });
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => done(res.statusCode ?? 0, text));
      res.on('error', (e) => done(res.statusCode ?? 0, text, e.message));
    });
    req.on('error', (e) => done(0, '', e.message));
    if (Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    const chunks = [...body];
    const next = (): void => {
      const c = chunks.shift();
      if (!c) return void req.end();
      if (!req.destroyed) req.write(c, next);
    };
    next();
  });
}

const UPGRADE_HEADERS = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

/** A raw upgrade request to `path`. */
export function rawUpgradeRequest(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE_HEADERS}\r\n`;
}

/** An upgraded raw socket (101 read), for frames a WebSocket client library would not send. */
export async function rawWebSocket(port: number, path: string, opts: { allowHalfOpen?: boolean } = {}): Promise<net.Socket> {
  const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: opts.allowHalfOpen ?? false });
  sock.on('error', () => undefined);
  await new Promise((r) => sock.once('connect', r));
  sock.write(rawUpgradeRequest(path));
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      if (!text.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      if (text.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(text));
    };
    sock.on('data', onData);
  });
  return sock;
}

/** `n` masked, empty client ping frames. */
export function wsPings(n: number): Buffer {
  return Buffer.concat(Array.from({ length: n }, () => Buffer.from([0x89, 0x80, 1, 2, 3, 4])));
}

/** A masked client close frame with code 1000. */
export const WS_CLOSE_FRAME = Buffer.from([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2]);

/** Bytes that are no WebSocket frame (reserved bits and opcode set): the peer must fail the connection. */
export const WS_GARBAGE = Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]);
