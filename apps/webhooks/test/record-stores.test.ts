// RECORD mode's parts on their own: the conversation and audio stores, the recording fetcher, the fake Twilio recordings.
import t from 'tap';
import { MemoryConversationStore, AudioStore, createRecordingFetcher, recordingWavUrl, RecordError } from '../src/record';
import { startFakeTwilioRecordings } from '../../cli/src/stack/fake-twilio-recordings';

const ACCOUNT = 'AC00000000000000000000000000000003';
const TOKEN = 'tok-3';
const signal = () => new AbortController().signal;

t.test('the conversation store forgets a call an hour after its last write, and returns copies', async (t) => {
  let now = 0;
  const store = new MemoryConversationStore({ now: () => now });
  store.set('CA1', [{ role: 'user', content: 'שלום' }]);
  const got = store.get('CA1');
  got.push({ role: 'assistant', content: 'changed outside' });
  t.same(store.get('CA1'), [{ role: 'user', content: 'שלום' }], 'callers cannot change the stored history');
  now = 59 * 60 * 1000;
  t.equal(store.get('CA1').length, 1);
  now = 60 * 60 * 1000;
  t.same(store.get('CA1'), [], 'gone after 1 h');
  t.same(store.get('unknown'), []);
});

t.test('the conversation store is bounded: least recently written calls go first, long histories keep their end', async (t) => {
  const store = new MemoryConversationStore({ maxCalls: 2, maxTurns: 3 });
  store.set('A', [{ role: 'user', content: 'a' }]);
  store.set('B', [{ role: 'user', content: 'b' }]);
  store.set('A', [{ role: 'user', content: 'a2' }]);
  store.set('C', [{ role: 'user', content: 'c' }]);
  t.same(store.get('B'), [], 'B was written least recently');
  t.equal(store.get('A')[0]?.content, 'a2');
  t.equal(store.size, 2);
  store.set('D', ['1', '2', '3', '4', '5'].map((content) => ({ role: 'user' as const, content })));
  t.same(store.get('D').map((x) => x.content), ['3', '4', '5']);
});

t.test('the audio store: unguessable ids, TTL, a byte cap with LRU eviction, and pinned phrases that stay', async (t) => {
  let now = 0;
  const store = new AudioStore({ now: () => now, ttlMs: 1000, maxBytes: 300 });
  const a = store.put(new Uint8Array(100));
  const b = store.put(new Uint8Array(100));
  const pinned = store.put(new Uint8Array(1000), { pinned: true });
  t.match(a, /^[A-Za-z0-9_-]{22}$/);
  t.not(a, b);
  store.get(a); // a is now the most recently used
  store.put(new Uint8Array(100));
  store.put(new Uint8Array(100));
  t.equal(store.get(b), undefined, 'b, least recently used, made room');
  t.ok(store.get(a), 'a stayed');
  t.equal(store.size, 300);
  now = 1000;
  t.equal(store.get(a), undefined, 'expired after the TTL');
  t.equal(store.get(pinned)?.length, 1000, 'pinned audio ignores TTL and the cap');
});

t.test('the fake Twilio recordings serve a WAV only with the account\'s basic auth', async (t) => {
  const fake = await startFakeTwilioRecordings({ accountSid: ACCOUNT, authToken: TOKEN });
  t.teardown(() => fake.close());
  const url = fake.add(new Uint8Array([1, 2, 3]));
  t.match(url, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE[0-9a-f]{32}$`));
  const auth = (token: string) => ({ authorization: `Basic ${Buffer.from(`${ACCOUNT}:${token}`).toString('base64')}` });
  const ok = await fetch(`${url}.wav`, { headers: auth(TOKEN) });
  t.equal(ok.status, 200);
  t.equal(ok.headers.get('content-type'), 'audio/x-wav');
  t.same([...new Uint8Array(await ok.arrayBuffer())], [1, 2, 3]);
  const denied = await fetch(`${url}.wav`, { headers: auth('wrong') });
  t.equal(denied.status, 401);
  t.match(denied.headers.get('www-authenticate'), /^Basic /);
  t.equal((await fetch(`${url}.wav`)).status, 401, 'no credentials: 401');
  t.equal((await fetch(`${url.slice(0, -4)}ffff.wav`, { headers: auth(TOKEN) })).status, 404);
  t.same(fake.requests.map((r) => r.authorized), [true, false, false, true]);
});

t.test('the recording fetcher appends .wav, sends basic auth, and refuses hosts that are not Twilio or loopback', async (t) => {
  const fake = await startFakeTwilioRecordings({ accountSid: ACCOUNT, authToken: TOKEN });
  t.teardown(() => fake.close());
  const fetchRecording = createRecordingFetcher({ accountSid: ACCOUNT, authToken: TOKEN });
  t.same([...(await fetchRecording(fake.add(new Uint8Array([9, 8])), signal()))], [9, 8]);
  t.match(fake.requests[0]?.path, /\.wav$/);
  t.equal(recordingWavUrl('https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1').href, 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.wav');
  t.equal(recordingWavUrl('https://api.dublin.ie1.twilio.com/x/RE1.wav').pathname, '/x/RE1.wav', 'regional hosts; an extension is kept');
  for (const bad of ['http://api.twilio.com/RE1', 'https://twilio.com.evil.net/RE1', 'https://example.com/RE1', 'file:///etc/passwd', 'not a url', '']) {
    t.throws(() => recordingWavUrl(bad), { code: 'REC_ERR_RECORDING_URL' }, bad || '(empty)');
  }
});

t.test('the recording fetcher has a size cap and a deadline', async (t) => {
  const fake = await startFakeTwilioRecordings({ accountSid: ACCOUNT, authToken: TOKEN });
  t.teardown(() => fake.close());
  const small = createRecordingFetcher({ accountSid: ACCOUNT, authToken: TOKEN, maxBytes: 1000 });
  await t.rejects(small(fake.add(new Uint8Array(1001)), signal()), { code: 'REC_ERR_RECORDING_TOO_LARGE' });
  const quick = createRecordingFetcher({ accountSid: ACCOUNT, authToken: TOKEN, timeoutMs: 200 });
  const started = performance.now();
  const err = await quick(fake.add(new Uint8Array(10), { delayMs: 2000 }), signal()).catch((e: unknown) => e);
  t.ok(err instanceof RecordError);
  t.equal((err as RecordError).code, 'REC_ERR_RECORDING_TIMEOUT');
  t.ok(performance.now() - started < 600, 'gave up at the deadline');
});
