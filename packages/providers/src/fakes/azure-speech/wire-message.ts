// Parses and builds Azure Speech WebSocket frames (text: header lines + body; binary: 2-byte length + headers + payload).
import { randomUUID } from 'node:crypto';

export interface WireMessage {
  /** Header names lower-cased, as the SDK itself parses them. */
  headers: Record<string, string>;
  path: string;
  requestId: string;
  /** Text body for text frames, raw payload for binary frames. */
  body: string | Buffer;
}

function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Reads one client frame; returns undefined for frames that are not in the Speech framing. */
export function parseWireMessage(data: Buffer, isBinary: boolean): WireMessage | undefined {
  let headers: Record<string, string>;
  let body: string | Buffer;
  if (isBinary) {
    if (data.length < 2) return undefined;
    const headerLength = data.readUInt16BE(0);
    if (data.length < 2 + headerLength) return undefined;
    headers = parseHeaderLines(data.subarray(2, 2 + headerLength).toString('latin1'));
    body = data.subarray(2 + headerLength);
  } else {
    const text = data.toString('utf8');
    const split = text.indexOf('\r\n\r\n');
    headers = parseHeaderLines(split < 0 ? text : text.slice(0, split));
    body = split < 0 ? '' : text.slice(split + 4);
  }
  return { headers, path: headers['path'] ?? '', requestId: headers['x-requestid'] ?? '', body };
}

function headerBlock(path: string, requestId: string, extra: Record<string, string>): string {
  const headers: Record<string, string> = {
    'X-RequestId': requestId,
    'X-Timestamp': new Date().toISOString(),
    Path: path,
    ...extra,
  };
  return Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
}

/** A server text frame. The SDK drops frames whose X-RequestId is not its current one, so callers echo it. */
export function textFrame(path: string, requestId: string, body: unknown = {}): string {
  const json = typeof body === 'string' ? body : JSON.stringify(body);
  return `${headerBlock(path, requestId, { 'Content-Type': 'application/json; charset=utf-8' })}\r\n${json}`;
}

/** A server binary frame; the SDK reads the header bytes as ASCII, so header values must be ASCII. */
export function binaryFrame(path: string, requestId: string, payload: Uint8Array, extra: Record<string, string> = {}): Buffer {
  const header = Buffer.from(headerBlock(path, requestId, extra), 'latin1');
  const out = Buffer.alloc(2 + header.length + payload.length);
  out.writeUInt16BE(header.length, 0);
  header.copy(out, 2);
  out.set(payload, 2 + header.length);
  return out;
}

/** A 32-hex id like the service's. */
export function newWireId(): string {
  return randomUUID().replace(/-/g, '').toUpperCase();
}
