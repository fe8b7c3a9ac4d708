// The recording download follows redirects by hand: every hop checked against the allow-list, credentials never off the origin.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordError } from '../src/record';
import { MAX_RECORDING_REDIRECTS, createRecordingFetcher, recordingRedirectTarget } from '../src/record/fetch-recording';

interface Seen {
  path: string;
  authorized: boolean;
}

/** A loopback HTTP server that answers with `route(path)` and remembers every request. */
type Answer = { status: number; headers?: Record<string, string>; body?: string };

async function server(host: string, route: (path: string) => Answer) {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorized: req.headers.authorization !== undefined });
    const r = route(req.url ?? '');
    res.writeHead(r.status, r.headers ?? {}).end(r.body ?? '');
  });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, host, () => resolve());
  });
  t.teardown(() => new Promise<void>((r) => s.close(() => r())));
  const port = (s.address() as AddressInfo).port;
  return { seen, base: `http://${host}:${port}` };
}

const fetcher = createRecordingFetcher({ accountSid: 'AC00000000000000000000000000000001', authToken: 'tok', retries: 0, timeoutMs: 3000 });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

t.test('1.8: a 302 or 307 from a loopback recording URL to 127.0.0.2 is refused, and nothing reaches 127.0.0.2', async (t) => {
  const other = await server('127.0.0.2', () => ({ status: 200, headers: { 'content-type': 'audio/x-wav' }, body: 'RIFF' }));
  for (const status of [301, 302, 303, 307, 308]) {
    const origin = await server('127.0.0.1', () => ({ status, headers: { location: `${other.base}/stolen.wav` } }));
    const err = await failure(fetcher(`${origin.base}/2010-04-01/Accounts/AC1/Recordings/RE1`, AbortSignal.timeout(5000)));
    t.ok(err instanceof RecordError, `${status}: refused`);
    t.match(err, { code: 'REC_ERR_RECORDING_URL', message: /redirect to 127\.0\.0\.2:\d+ refused/ });
    t.same(origin.seen.map((s) => s.path), ['/2010-04-01/Accounts/AC1/Recordings/RE1.wav'], `${status}: the first hop was asked once`);
  }
  t.same(other.seen, [], 'not one request arrived at 127.0.0.2');
});

t.test('1.8: a redirect to another port of the same loopback host is another origin: refused', async (t) => {
  const other = await server('127.0.0.1', () => ({ status: 200, body: 'RIFF' }));
  const origin = await server('127.0.0.1', () => ({ status: 302, headers: { location: `${other.base}/x.wav` } }));
  t.match(await failure(fetcher(`${origin.base}/rec`, AbortSignal.timeout(5000))), { code: 'REC_ERR_RECORDING_URL' });
  t.same(other.seen, []);
});

t.test('a redirect within the same origin is followed, with our credentials', async (t) => {
  const origin = await server('127.0.0.1', (path): Answer =>
    path === '/rec.wav' ? { status: 307, headers: { location: '/stored/rec.wav' } } : { status: 200, headers: { 'content-type': 'audio/x-wav' }, body: 'RIFFdata' },
  );
  const bytes = await fetcher(`${origin.base}/rec`, AbortSignal.timeout(5000));
  t.equal(Buffer.from(bytes).toString(), 'RIFFdata');
  t.same(origin.seen, [{ path: '/rec.wav', authorized: true }, { path: '/stored/rec.wav', authorized: true }]);
});

t.test(`more than ${MAX_RECORDING_REDIRECTS} redirects are refused`, async (t) => {
  let n = 0;
  const origin = await server('127.0.0.1', () => ({ status: 302, headers: { location: `/hop${++n}.wav` } }));
  t.match(await failure(fetcher(`${origin.base}/rec`, AbortSignal.timeout(5000))), { code: 'REC_ERR_RECORDING_URL', message: /more than 3 redirects/ });
  t.equal(origin.seen.length, MAX_RECORDING_REDIRECTS + 1);
});

t.test('a redirect without a Location is an HTTP failure', async (t) => {
  const origin = await server('127.0.0.1', () => ({ status: 302 }));
  t.match(await failure(fetcher(`${origin.base}/rec`, AbortSignal.timeout(5000))), { code: 'REC_ERR_RECORDING_HTTP' });
});

t.test('redirect hops: the origin keeps the credentials; Twilio hosts and its media CDN only over https, without them', async (t) => {
  const from = new URL('https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.wav');
  const origin = from.origin;
  t.same(recordingRedirectTarget('/2010-04-01/x.wav', from, origin), { url: new URL('https://api.twilio.com/2010-04-01/x.wav'), sameOrigin: true });
  t.same(recordingRedirectTarget('https://media.twiliocdn.com/AC1/abc?x-amz-security-token=1', from, origin).sameOrigin, false, 'the CDN gets no Authorization');
  t.same(recordingRedirectTarget('https://api.us1.twilio.com/x.wav', from, origin).sameOrigin, false, 'another Twilio origin gets none either');
  for (const bad of ['http://media.twiliocdn.com/x', 'https://api.twilio.com.evil.example/x', 'https://twiliocdn.com.evil.example/x', 'https://evil.example/x', 'http://127.0.0.2/x', 'file:///etc/passwd', 'https://s3.amazonaws.com/bucket/x']) {
    t.throws(() => recordingRedirectTarget(bad, from, origin), { code: 'REC_ERR_RECORDING_URL' }, bad);
  }
  t.throws(() => recordingRedirectTarget(null, from, origin), { code: 'REC_ERR_RECORDING_HTTP' });
});
