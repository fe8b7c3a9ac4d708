// A raw signed upgrade to the harness's server that sends nothing until told (for idle sockets and hand-made frames).
import WebSocket from 'ws';
import type { MediaServerHarness } from './start-media-server';

const closes = new WeakMap<WebSocket, Promise<number>>();

/** Resolves once open; rejects with "HTTP <status>" when the upgrade is refused, or with the connection error. */
export async function openSocket(media: MediaServerHarness, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(media.wsUrl, { headers: { ...media.signedHeaders(), ...headers } });
  closes.set(ws, new Promise((resolve) => ws.once('close', (code) => resolve(code))));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.on('error', reject); // e.g. ECONNREFUSED once the server stopped listening; later errors are ignored
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
  });
  return ws;
}

/** The close code the server sent (1006 when the connection just dropped), once the socket is closed. */
export function closeCode(ws: WebSocket): Promise<number> {
  return closes.get(ws) ?? new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}
