// Downloads a Twilio recording as WAV (`${RecordingUrl}.wav`, HTTP basic auth): every redirect hop checked, a deadline, a size cap, retries.
import { RecordError } from './record-errors';

export type FetchRecording = (recordingUrl: string, signal: AbortSignal) => Promise<Uint8Array>;

export interface RecordingFetcherOptions {
  /** With the auth token: HTTP basic auth, as Twilio's "HTTP Basic Authentication for media" requires. */
  accountSid?: string | undefined;
  authToken?: string | undefined;
  /** Whole download, retries included. Default 5000 ms. */
  timeoutMs?: number;
  /** Larger recordings are refused. Default 8 MiB. */
  maxBytes?: number;
  /** Extra attempts after a 404 or 5xx. Default 2. */
  retries?: number;
  retryDelayMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Redirects followed per download; each hop is checked like the first URL. */
export const MAX_RECORDING_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const isTwilioHost = (url: URL): boolean => url.protocol === 'https:' && (url.hostname === 'twilio.com' || url.hostname.endsWith('.twilio.com'));

/**
 * Only Twilio's own https hosts (api.twilio.com, regional *.twilio.com) and loopback (tests, local fakes) get our
 * credentials. why: without signatures on, anyone could post a RecordingUrl pointing at their server and collect them.
 */
export function recordingWavUrl(recordingUrl: string): URL {
  let url: URL;
  try {
    url = new URL(recordingUrl);
  } catch {
    throw new RecordError('REC_ERR_RECORDING_URL', 'not a URL');
  }
  const twilio = isTwilioHost(url);
  const loopback = (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname);
  if (!twilio && !loopback) throw new RecordError('REC_ERR_RECORDING_URL', `host ${url.host} refused`);
  if (!/\.(wav|mp3)$/i.test(url.pathname)) url.pathname += '.wav';
  return url;
}

/**
 * Where a redirect may lead: the original origin (with our credentials), or — without them — Twilio's https hosts and its
 * media CDN. why: Twilio documents no cross-host redirect for recording media (api.twilio.com serves the .wav itself, and
 * since Feb 2024 redirects plain http to https on the same host); its message media redirects (307) to
 * https://*.twiliocdn.com (formerly S3), so that is the one storage pattern a hop may reach. Anything else — another
 * loopback address, another port, a private host — is refused before a byte is sent to it.
 */
export function recordingRedirectTarget(location: string | null, from: URL, origin: string): { url: URL; sameOrigin: boolean } {
  if (!location) throw new RecordError('REC_ERR_RECORDING_HTTP', 'redirect without a Location');
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    throw new RecordError('REC_ERR_RECORDING_URL', 'redirect to a malformed URL');
  }
  if (url.origin === origin) return { url, sameOrigin: true };
  const twilioCdn = url.protocol === 'https:' && url.hostname.endsWith('.twiliocdn.com');
  if (!isTwilioHost(url) && !twilioCdn) throw new RecordError('REC_ERR_RECORDING_URL', `redirect to ${url.host} refused`);
  return { url, sameOrigin: false };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new RecordError('REC_ERR_RECORDING_TOO_LARGE', `${declared} bytes`);
  const parts: Uint8Array[] = [];
  let total = 0;
  if (!res.body) return new Uint8Array(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw new RecordError('REC_ERR_RECORDING_TOO_LARGE', `over ${maxBytes} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

export function createRecordingFetcher(opts: RecordingFetcherOptions = {}): FetchRecording {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const retries = opts.retries ?? 2;
  const retryDelayMs = opts.retryDelayMs ?? 300;
  const headers: Record<string, string> = {};
  if (opts.accountSid && opts.authToken) {
    headers['authorization'] = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
  }

  /** One GET, following at most MAX_RECORDING_REDIRECTS hops by hand; Authorization goes to the original origin only. */
  async function get(url: URL, signal: AbortSignal): Promise<Response> {
    let at = url;
    let withAuth = true;
    for (let hop = 0; ; hop++) {
      const res = await fetch(at, { headers: withAuth ? headers : {}, signal, redirect: 'manual' });
      if (!REDIRECT_STATUSES.has(res.status)) return res;
      await res.body?.cancel();
      if (hop >= MAX_RECORDING_REDIRECTS) throw new RecordError('REC_ERR_RECORDING_URL', `more than ${MAX_RECORDING_REDIRECTS} redirects`);
      const next = recordingRedirectTarget(res.headers.get('location'), at, url.origin);
      at = next.url;
      // why: once off the original origin, never back with credentials (a CDN could bounce us anywhere on that origin).
      withAuth = withAuth && next.sameOrigin;
    }
  }

  return async (recordingUrl, signal) => {
    const url = recordingWavUrl(recordingUrl);
    const deadline = AbortSignal.timeout(timeoutMs);
    const both = AbortSignal.any([signal, deadline]);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await get(url, both);
        if (res.ok) return await readCapped(res, maxBytes);
        await res.body?.cancel();
      } catch (err) {
        if (err instanceof RecordError) throw err;
        if (deadline.aborted) throw new RecordError('REC_ERR_RECORDING_TIMEOUT', `${timeoutMs} ms`, { cause: err });
        if (signal.aborted) throw err;
        if (attempt >= retries) throw new RecordError('REC_ERR_RECORDING_NETWORK', (err as Error).message, { cause: err });
        await sleep(retryDelayMs * (attempt + 1), both);
        continue;
      }
      // why: Twilio can answer 404 for a moment right after <Record> ends, until the file is stored.
      const transient = res.status === 404 || res.status >= 500;
      if (!transient || attempt >= retries) throw new RecordError('REC_ERR_RECORDING_HTTP', `HTTP ${res.status}`, { upstreamStatus: res.status });
      await sleep(retryDelayMs * (attempt + 1), both);
    }
  };
}
