// A stand-in for Twilio's recording media endpoint: serves `${RecordingUrl}.wav` only with the account's basic auth.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface FakeTwilioRecordingsOptions {
  accountSid: string;
  authToken: string;
}

export interface FakeRecordingRequest {
  /** Path as requested, e.g. /2010-04-01/Accounts/AC…/Recordings/RE….wav */
  path: string;
  /** True when it carried `Authorization: Basic base64(accountSid:authToken)`. */
  authorized: boolean;
}

export interface FakeTwilioRecordings {
  /** http://127.0.0.1:PORT */
  readonly baseUrl: string;
  /** Stores a WAV; returns its RecordingUrl without extension, shaped like Twilio's. */
  add(wav: Uint8Array, opts?: { delayMs?: number }): string;
  readonly requests: FakeRecordingRequest[];
  close(): Promise<void>;
}

export async function startFakeTwilioRecordings({ accountSid, authToken }: FakeTwilioRecordingsOptions): Promise<FakeTwilioRecordings> {
  const recordings = new Map<string, { wav: Uint8Array; delayMs: number }>();
  const requests: FakeRecordingRequest[] = [];
  const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const prefix = `/2010-04-01/Accounts/${accountSid}/Recordings/`;

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const authorized = req.headers.authorization === expected;
    requests.push({ path, authorized });
    const send = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, '{"code":20004,"message":"Method not allowed","status":405}');
    // why: like Twilio with "HTTP Basic Authentication for media access" on — the credentials are checked first.
    if (!authorized) return send(401, '{"code":20003,"message":"Authenticate","status":401}', { 'www-authenticate': 'Basic realm="Twilio API"' });
    const sid = path.startsWith(prefix) && path.endsWith('.wav') ? path.slice(prefix.length, -4) : undefined;
    const found = sid === undefined ? undefined : recordings.get(sid);
    if (!found) return send(404, '{"code":20404,"message":"The requested resource was not found","status":404}');
    const timer = setTimeout(() => {
      res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': found.wav.length });
      res.end(req.method === 'HEAD' ? undefined : Buffer.from(found.wav));
    }, found.delayMs);
    res.once('close', () => clearTimeout(timer)); // the client gave up (a fetch deadline): nothing left to send
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    requests,
    add(wav, opts = {}) {
      const sid = `RE${randomBytes(16).toString('hex')}`;
      recordings.set(sid, { wav, delayMs: opts.delayMs ?? 0 });
      return `${baseUrl}${prefix}${sid}`;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
