// RECORD mode when things fail or are slow: bad recordings, provider errors, and Twilio's 15 s limit (hold + continue).
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { decodeMulaw, encodeWav, pcm16ToBytes } from '@tva/audio';
import { loadConfig } from '@tva/config';
import { createLogger } from '@tva/logging';
import {
  AzureSttProvider, DtmfOnlySttProvider, EspeakTtsProvider, OpenAiLlmProvider, ScriptedLlmProvider,
  speechLikeMulaw, startFakeAzureSpeech, startFakeOpenAI,
  type LlmChunk, type LlmProvider, type SttProvider, type TtsProvider,
} from '@tva/providers';
import { startFakeTwilioRecordings } from '../../cli/src/stack/fake-twilio-recordings';
import { publicBase } from '../src/public-base';
import { MemoryConversationStore, registerRecordMode } from '../src/record';

const ACCOUNT = 'AC00000000000000000000000000000002';
const TOKEN = 'right-token';
const BASE = 'https://agent.example.com';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const APOLOGY = 'סליחה, הייתה לי תקלה קטנה. אפשר לחזור על זה?';
const SAY_HE = '<Say language="he-IL" voice="Google.he-IL-Wavenet-A">';
const APOLOGY_THEN_RECORD = `${SAY_HE}${APOLOGY}</Say><Record action="${BASE}/webhook/recording"`;
const wav = (): Uint8Array => encodeWav(pcm16ToBytes(decodeMulaw(speechLikeMulaw(800))), { sampleRate: 8000, format: 'pcm16' });
/** A TTS that cannot run: every prompt falls back to <Say>, so the tests can read what is said. */
const brokenTts = (): TtsProvider => new EspeakTtsProvider({ binary: '/nonexistent/espeak-ng' });
const scriptedStt = (text: string): SttProvider => ({ name: 'scripted-stt', start: () => Promise.reject(new Error('unused')), recognizeFile: async () => ({ text }) });

/** An LLM that answers after `delayMs`, or never when `delayMs` is Infinity and it ignores its signal. */
function slowLlm(delayMs: number, text: string): LlmProvider & { calls: number } {
  return {
    name: 'slow-llm',
    calls: 0,
    async *stream(): AsyncGenerator<LlmChunk> {
      this.calls++;
      await new Promise((r) => (Number.isFinite(delayMs) ? setTimeout(r, delayMs) : undefined));
      yield { type: 'text', text };
    },
  };
}

async function harness(t: Test, providers: { stt: SttProvider; llm: LlmProvider; tts: TtsProvider }, env: Record<string, string> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const config = loadConfig({ PUBLIC_BASE_URL: BASE, TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, ...env });
  const logger = createLogger({ service: 'webhooks', destination: sink });
  const app = Fastify({ loggerInstance: logger });
  await app.register(formbody);
  const conversations = new MemoryConversationStore();
  const recordings = await startFakeTwilioRecordings({ accountSid: ACCOUNT, authToken: TOKEN });
  const record = registerRecordMode(app, { config, logger, providers, conversations, checkSignature: () => undefined, publicBase: (req) => publicBase(config.publicBaseUrl, req.headers) });
  t.teardown(async () => {
    await record.ready();
    await app.close();
    await recordings.close();
  });
  const post = async (url: string, form: Record<string, string>) => {
    const started = performance.now();
    const res = await app.inject({ method: 'POST', url, headers: FORM, payload: new URLSearchParams(form).toString() });
    return { status: res.statusCode, body: res.body, ms: performance.now() - started };
  };
  const turn = (callSid: string, recordingUrl: string) => post('/webhook/recording', { CallSid: callSid, RecordingUrl: recordingUrl, RecordingDuration: '1' });
  return { app, lines, conversations, recordings, record, post, turn };
}

t.test('a recording refused with 401 (wrong credentials) gets the apology and <Record> again, never an HTTP error', async (t) => {
  const h = await harness(t, { stt: scriptedStt('שלום'), llm: new ScriptedLlmProvider(), tts: brokenTts() }, { TWILIO_AUTH_TOKEN: 'wrong-token' });
  const res = await h.turn('CA1', h.recordings.add(wav()));
  t.equal(res.status, 200);
  t.match(res.body, APOLOGY_THEN_RECORD);
  t.same(h.recordings.requests.map((r) => r.authorized), [false], 'tried once with the wrong credentials; a 401 is not retried');
  t.match(h.lines.find((l) => l['event'] === 'RECORD_ERROR'), { callSid: 'CA1', stage: 'fetch', code: 'REC_ERR_RECORDING_HTTP', status: 401 });
  t.match(h.lines.find((l) => l['event'] === 'RECORD_TURN'), { outcome: 'failed', stage: 'fetch', code: 'REC_ERR_RECORDING_HTTP' });
});

t.test('an unknown recording (404) is retried briefly, then apologized for', async (t) => {
  const h = await harness(t, { stt: scriptedStt('שלום'), llm: new ScriptedLlmProvider(), tts: brokenTts() });
  const url = h.recordings.add(wav()).replace(/RE[0-9a-f]+$/, 'RE00000000000000000000000000000000');
  const res = await h.turn('CA2', url);
  t.match(res.body, APOLOGY_THEN_RECORD);
  t.equal(h.recordings.requests.length, 3, 'three tries: Twilio can 404 for a moment after <Record> ends');
  t.ok(res.ms < 3000, `${Math.round(res.ms)} ms`);
  t.same(h.conversations.get('CA2'), [], 'nothing added to the history');
});

t.test('a RecordingUrl off Twilio never gets our credentials', async (t) => {
  const h = await harness(t, { stt: scriptedStt('שלום'), llm: new ScriptedLlmProvider(), tts: brokenTts() });
  const res = await h.turn('CA3', 'https://collector.example.com/2010-04-01/Accounts/AC/Recordings/RE1');
  t.match(res.body, APOLOGY_THEN_RECORD);
  t.match(h.lines.find((l) => l['event'] === 'RECORD_ERROR'), { code: 'REC_ERR_RECORDING_URL' });
});

t.test('an STT failure (Azure refuses the key) gets the apology, logged with the provider\'s code', async (t) => {
  const fake = await startFakeAzureSpeech({ faults: { failAuth: 401 } });
  t.teardown(() => fake.close());
  const stt = new AzureSttProvider({ key: 'bad', host: fake.url, initialConnectTimeoutMs: 2000 });
  const h = await harness(t, { stt, llm: new ScriptedLlmProvider(), tts: brokenTts() });
  const res = await h.turn('CA4', h.recordings.add(wav()));
  t.match(res.body, APOLOGY_THEN_RECORD);
  t.match(h.lines.find((l) => l['event'] === 'PROVIDER_ERROR'), { callSid: 'CA4', stage: 'stt', provider: 'azure-stt', code: 'PROVIDER_AUTH' });
});

t.test('an LLM failure (HTTP 500) gets the apology and leaves the history as it was', async (t) => {
  const fake = await startFakeOpenAI({ replies: [{ status: 500 }] });
  t.teardown(() => fake.close());
  const h = await harness(t, { stt: scriptedStt('מה השעה?'), llm: new OpenAiLlmProvider({ apiKey: 'sk', baseURL: fake.baseURL }), tts: brokenTts() });
  h.conversations.set('CA5', [{ role: 'assistant', content: 'שלום' }]);
  const res = await h.turn('CA5', h.recordings.add(wav()));
  t.match(res.body, APOLOGY_THEN_RECORD);
  t.match(h.lines.find((l) => l['event'] === 'PROVIDER_ERROR'), { stage: 'llm', provider: 'openai-llm' });
  t.same(h.conversations.get('CA5'), [{ role: 'assistant', content: 'שלום' }]);
});

t.test('a TTS failure still delivers the reply, spoken by Twilio\'s <Say>', async (t) => {
  const h = await harness(t, { stt: scriptedStt('מה השעה?'), llm: slowLlm(0, 'השעה עכשיו שלוש.'), tts: brokenTts() });
  const res = await h.turn('CA6', h.recordings.add(wav()));
  t.match(res.body, `<Response>${SAY_HE}השעה עכשיו שלוש.</Say><Record `);
  t.match(h.lines.find((l) => l['event'] === 'PROVIDER_ERROR'), { stage: 'tts', code: 'PROVIDER_UNAVAILABLE' });
  t.same(h.conversations.get('CA6').at(-1), { role: 'assistant', content: 'השעה עכשיו שלוש.' });
});

t.test('a slow LLM: hold phrase + <Redirect> within the budget, then record_continue delivers the answer', async (t) => {
  const llm = slowLlm(1600, 'הנה התשובה.');
  const h = await harness(t, { stt: scriptedStt('שאלה קשה'), llm, tts: new EspeakTtsProvider() }, { RECORD_TURN_BUDGET_MS: '1000' });
  await h.record.ready();
  const first = await h.turn('CA7', h.recordings.add(wav()));
  const turnId = /record_continue\?turn=([A-Za-z0-9_-]+)</.exec(first.body)?.[1] ?? '';
  t.match(first.body, new RegExp(`<Response><Play>${BASE}/audio/[A-Za-z0-9_-]{22}\\.wav</Play><Redirect method="POST">${BASE}/webhook/record_continue\\?turn=${turnId}</Redirect></Response>$`), 'the cached hold phrase, then back to us');
  t.ok(turnId.length >= 16, 'an unguessable turn id');
  t.ok(first.ms >= 950 && first.ms < 1400, `answered at the budget: ${Math.round(first.ms)} ms`);
  t.match(h.lines.find((l) => l['event'] === 'RECORD_HOLD'), { callSid: 'CA7' });

  const other = await h.post(`/webhook/record_continue?turn=${turnId}`, { CallSid: 'CA-other' });
  t.match(other.body, '<Record ', 'another call cannot collect this turn: it gets the apology and <Record>');

  const second = await h.post(`/webhook/record_continue?turn=${turnId}`, { CallSid: 'CA7' });
  t.match(second.body, new RegExp(`<Response><Play>${BASE}/audio/[A-Za-z0-9_-]{22}\\.wav</Play><Record action="${BASE}/webhook/recording"`));
  t.ok(second.ms < 1000, `continue answered as soon as the reply was ready: ${Math.round(second.ms)} ms`);
  t.equal(llm.calls, 1, 'the turn was computed once, in the background');
  t.same(h.conversations.get('CA7').slice(-2), [{ role: 'user', content: 'שאלה קשה' }, { role: 'assistant', content: 'הנה התשובה.' }]);

  const again = await h.post(`/webhook/record_continue?turn=${turnId}`, { CallSid: 'CA7' });
  t.match(again.body, '<Record ', 'a delivered turn is gone: a replay gets the apology, not a second answer');
  t.match(h.lines.filter((l) => l['code'] === 'REC_ERR_UNKNOWN_TURN'), [{}, {}]);
});

t.test('an LLM that never answers: holds within the budget each time, then the apology at the turn deadline', async (t) => {
  const h = await harness(t, { stt: scriptedStt('שלום?'), llm: slowLlm(Infinity, 'never'), tts: brokenTts() }, { RECORD_TURN_BUDGET_MS: '1000' });
  const answers = [await h.turn('CA8', h.recordings.add(wav()))];
  for (let i = 0; i < 4 && !answers.at(-1)?.body.includes('<Record '); i++) {
    const turnId = /turn=([A-Za-z0-9_-]+)</.exec(answers.at(-1)?.body ?? '')?.[1] ?? '';
    answers.push(await h.post(`/webhook/record_continue?turn=${turnId}`, { CallSid: 'CA8' }));
  }
  t.match(answers[0]?.body, `${SAY_HE}רגע אחד, אני בודקת.</Say><Redirect method="POST">`);
  t.match(answers.at(-1)?.body, APOLOGY_THEN_RECORD, 'the apology, then <Record> again');
  t.equal(answers.length, 3, 'held twice, apologized at 3× the budget');
  for (const a of answers) t.ok(a.ms < 1300, `every answer well under Twilio's 15 s: ${Math.round(a.ms)} ms`);
  t.match(h.lines.find((l) => l['event'] === 'RECORD_ERROR'), { code: 'REC_ERR_TURN_TIMEOUT', stage: 'llm' });
});

t.test('with the default 11 s budget a normal turn is answered directly, with no hold', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: slowLlm(200, 'בסדר.'), tts: brokenTts() });
  const res = await h.post('/webhook/recording', { CallSid: 'CA9', RecordingUrl: h.recordings.add(wav()), Digits: '5' });
  t.match(res.body, `${SAY_HE}בסדר.</Say><Record `);
  t.notMatch(res.body, /record_continue/);
});
