// The real Azure Speech SDK, through AzureTtsProvider, against the fake Azure Speech service.
import t, { type Test } from 'tap';
import { ProviderError } from '../src/contracts';
import { AzureTtsProvider, buildSsml, type AzureTtsOptions } from '../src/azure';
import { startFakeAzureSpeech, type FakeAzureSpeechOptions } from '../src/fakes/azure-speech';

const HEBREW = 'שלום, מה שלומך היום?';
const BYTES_PER_CHAR = 60 * 8; // the fake's default: 60 ms of 8 kHz μ-law per character

async function setup(t: Test, fakeOpts: FakeAzureSpeechOptions = {}, ttsOpts: Partial<AzureTtsOptions> = {}) {
  const fake = await startFakeAzureSpeech(fakeOpts);
  t.teardown(() => fake.close());
  const tts = new AzureTtsProvider({ key: 'test-key', host: fake.url, firstChunkTimeoutMs: 1500, ...ttsOpts });
  t.teardown(() => tts.close());
  return { fake, tts };
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<{ chunks: Uint8Array[]; bytes: number; firstAt: number }> {
  const chunks: Uint8Array[] = [];
  let firstAt = 0;
  for await (const chunk of it) {
    if (chunks.length === 0) firstAt = performance.now();
    chunks.push(chunk);
  }
  return { chunks, bytes: chunks.reduce((n, c) => n + c.length, 0), firstAt };
}

const signal = () => new AbortController().signal;

t.test('audio streams chunk by chunk: the first arrives before the service sends the last', async (t) => {
  const { fake, tts } = await setup(t, { tts: { chunkBytes: 800, chunkDelayMs: 25 } });
  const { chunks, bytes, firstAt } = await collect(tts.synthesize(HEBREW, signal()));
  const turn = fake.ttsTurns[0];
  t.equal(bytes, HEBREW.length * BYTES_PER_CHAR, 'all the audio, header-less');
  t.ok(chunks.length >= 5, `${chunks.length} chunks`);
  t.ok(turn?.lastChunkAt !== undefined && firstAt < turn.lastChunkAt - 50, 'first chunk in hand well before the last was sent');
  t.ok(chunks.every((c) => c.some((b) => b !== 0xff && b !== 0x7f)), 'not silence');
  t.equal(turn?.outputFormat, 'raw-8khz-8bit-mono-mulaw');
});

t.test('the SSML carries the Hebrew text, voice and language intact, XML-escaped', async (t) => {
  const { fake, tts } = await setup(t, {}, { voices: { 'en-US': 'en-US-JennyNeural' } });
  await collect(tts.synthesize(HEBREW, signal()));
  const tricky = `אמר "כן" & <לא> 'אולי'`;
  await collect(tts.synthesize(tricky, signal()));
  await collect(tts.synthesize('Hello there', signal(), { language: 'en-US' }));
  t.equal(fake.ssml[0], buildSsml(HEBREW, 'he-IL-HilaNeural', 'he-IL'));
  t.match(fake.ssml[0], /xml:lang="he-IL"><voice name="he-IL-HilaNeural">שלום, מה שלומך היום\?<\/voice>/);
  t.equal(fake.ttsTurns[1]?.text, tricky, 'the service reads back exactly the text');
  t.match(fake.ssml[2], /xml:lang="en-US"><voice name="en-US-JennyNeural">Hello there</);
  t.equal(fake.ttsConnections, 1, 'one connection for all three requests');
});

t.test('requests made together play in call order on one connection', async (t) => {
  const { fake, tts } = await setup(t, { tts: { chunkDelayMs: 5 } });
  const a = tts.synthesize('אחת', signal());
  const b = tts.synthesize('שתיים שלוש', signal());
  const [ra, rb] = await Promise.all([collect(a), collect(b)]);
  t.equal(ra.bytes, 3 * BYTES_PER_CHAR);
  t.equal(rb.bytes, 10 * BYTES_PER_CHAR);
  t.same(fake.ttsTurns.map((x) => x.text), ['אחת', 'שתיים שלוש']);
  t.equal(fake.ttsConnections, 1);
});

t.test('abort mid-stream ends the iteration within 200 ms; the next request works', async (t) => {
  const { fake, tts } = await setup(t, { tts: { chunkBytes: 400, chunkDelayMs: 40 } });
  const ac = new AbortController();
  let received = 0;
  let abortedAt = 0;
  for await (const chunk of tts.synthesize('טקסט ארוך מאוד שלא יגיע עד הסוף בכלל', ac.signal)) {
    received += chunk.length;
    if (received >= 800 && abortedAt === 0) {
      abortedAt = performance.now();
      ac.abort();
    }
  }
  const stopMs = performance.now() - abortedAt;
  t.ok(abortedAt > 0 && stopMs < 200, `stopped ${Math.round(stopMs)} ms after abort`);
  t.equal(fake.ttsTurns[0]?.completed, false, 'the service did not finish that utterance');
  const next = await collect(tts.synthesize('שוב', signal()));
  t.equal(next.bytes, 3 * BYTES_PER_CHAR, 'the next synthesize gets its full audio');
  t.equal(fake.ttsConnections, 2, 'on a new connection');

  const ac2 = new AbortController();
  ac2.abort();
  t.same((await collect(tts.synthesize('כלום', ac2.signal))).chunks, [], 'already aborted: nothing');
});

t.test('abort while waiting for the next chunk ends the iteration at once', async (t) => {
  const { tts } = await setup(t, { tts: { chunkBytes: 400, chunkDelayMs: 500 } });
  const ac = new AbortController();
  const chunks: Uint8Array[] = [];
  let abortedAt = 0;
  const iterating = (async () => {
    for await (const chunk of tts.synthesize(HEBREW, ac.signal)) chunks.push(chunk);
  })();
  setTimeout(() => {
    abortedAt = performance.now();
    ac.abort();
  }, 150);
  await iterating;
  const stopMs = performance.now() - abortedAt;
  t.ok(stopMs < 200, `ended ${Math.round(stopMs)} ms after abort`);
  t.equal(chunks.length, 1, 'only the chunk sent before the abort');
});

t.test('a consumer that breaks out early stops synthesis too', async (t) => {
  const { fake, tts } = await setup(t, { tts: { chunkBytes: 400, chunkDelayMs: 20 } });
  for await (const _ of tts.synthesize('משפט ארוך למדי', signal())) break;
  const next = await collect(tts.synthesize('כן', signal()));
  t.equal(next.bytes, 2 * BYTES_PER_CHAR);
  t.equal(fake.ttsTurns[0]?.completed, false);
});

t.test('a refused key is PROVIDER_AUTH', async (t) => {
  const { tts } = await setup(t, { faults: { failAuth: true } });
  const err = await collect(tts.synthesize(HEBREW, signal())).catch((e: unknown) => e);
  t.type(err, ProviderError);
  t.match(err, { code: 'PROVIDER_AUTH', providerCode: 401, retryable: false, provider: 'azure-tts' });
});

t.test('a socket dropped mid-utterance is PROVIDER_CONNECTION, not a hang; then it recovers', async (t) => {
  const { fake, tts } = await setup(t, { tts: { chunkBytes: 400, chunkDelayMs: 30 } });
  fake.failNext({ dropAfterMs: 100 }, 'tts');
  const began = performance.now();
  const err = await collect(tts.synthesize(HEBREW, signal())).catch((e: unknown) => e);
  t.match(err, { code: 'PROVIDER_CONNECTION', retryable: true, providerCode: 'ConnectionFailure' });
  t.ok(performance.now() - began < 1000, 'promptly');
  t.equal((await collect(tts.synthesize('שוב', signal()))).bytes, 3 * BYTES_PER_CHAR);
});

t.test('a service that never sends audio is PROVIDER_TIMEOUT after firstChunkTimeoutMs', async (t) => {
  for (const hang of ['open', 'upgrade'] as const) {
    const { tts } = await setup(t, { faults: { hang } }, { firstChunkTimeoutMs: 250, prewarm: false });
    const began = performance.now();
    await t.rejects(collect(tts.synthesize(HEBREW, signal())), { code: 'PROVIDER_TIMEOUT' }, `hang: ${hang}`);
    const took = performance.now() - began;
    t.ok(took >= 240 && took < 800, `${hang}: ${Math.round(took)} ms`);
  }
});
