// RECORD mode through inject(): whole turns against the real SDKs and fakes, prompts, silence, key presses, hang-ups.
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { decodeMulaw, decodeWav, encodeWav, pcm16ToBytes } from '@tva/audio';
import { loadConfig } from '@tva/config';
import { createLogger } from '@tva/logging';
import {
  AzureSttProvider, AzureTtsProvider, DtmfOnlySttProvider, EspeakTtsProvider, OpenAiLlmProvider, ScriptedLlmProvider,
  silenceMulaw, speechLikeMulaw, startFakeAzureSpeech, startFakeOpenAI,
  type FakeAzureSpeechOptions, type FakeOpenAIOptions, type LlmProvider, type SttProvider, type TtsProvider,
} from '@tva/providers';
import { startFakeTwilioRecordings } from '../../cli/src/stack/fake-twilio-recordings';
import { publicBase } from '../src/public-base';
import { MemoryConversationStore, registerRecordMode, type RecordReason } from '../src/record';
import { assertTwilioSignature } from '../src/twilio-signature';

const ACCOUNT = 'AC00000000000000000000000000000001';
const TOKEN = 'test-auth-token';
const BASE = 'https://agent.example.com';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const HEBREW_QUESTION = 'מתי אתם פתוחים ביום שישי?';
const HEBREW_REPLY = 'ביום שישי אנחנו פתוחים עד אחת בצהריים.';
const XML = '<?xml version="1.0" encoding="UTF-8"?>';
const RECORD_VERB = `<Record action="${BASE}/webhook/recording" method="POST" maxLength="30" timeout="2" playBeep="false" trim="trim-silence"/>`;
const redirect = (silent: number) => `<Redirect method="POST">${BASE}/webhook/record_resume?silent=${silent}</Redirect>`;

/** A phone recording as Twilio stores it: 8 kHz 16-bit PCM WAV. */
const phoneWav = (): Uint8Array => encodeWav(pcm16ToBytes(decodeMulaw(Buffer.concat([silenceMulaw(200), speechLikeMulaw(900), silenceMulaw(600)]))), { sampleRate: 8000, format: 'pcm16' });

async function harness(t: Test, providers: { stt: SttProvider; llm: LlmProvider; tts: TtsProvider }, opts: { env?: Record<string, string>; enforceSignatures?: boolean } = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const config = loadConfig({ PUBLIC_BASE_URL: BASE, TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, ...opts.env });
  const logger = createLogger({ service: 'webhooks', destination: sink });
  const app = Fastify({ loggerInstance: logger });
  await app.register(formbody);
  const conversations = new MemoryConversationStore();
  const signatureChecks: string[] = [];
  const recordings = await startFakeTwilioRecordings({ accountSid: ACCOUNT, authToken: TOKEN });
  const record = registerRecordMode(app, {
    config, logger, providers, conversations,
    checkSignature: (req) => {
      signatureChecks.push(req.url);
      if (opts.enforceSignatures) assertTwilioSignature(TOKEN, req.headers['x-twilio-signature'], BASE + req.url, req.body as Record<string, string>);
    },
    publicBase: (req) => publicBase(config.publicBaseUrl, req.headers),
  });
  // build-app wires startTwiml into incoming_call / stream_ended; a stand-in route does the same here.
  app.post('/test/start', async (req, reply) => {
    const { CallSid, reason } = req.body as { CallSid: string; reason: RecordReason };
    return reply.type('text/xml').send(await record.startTwiml(req, CallSid, reason));
  });
  t.teardown(async () => {
    await record.ready();
    await app.close();
    await recordings.close();
  });
  const post = async (url: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const res = await app.inject({ method: 'POST', url, headers: { ...FORM, ...headers }, payload: new URLSearchParams(form).toString() });
    return { status: res.statusCode, body: res.body, type: res.headers['content-type'], ms: performance.now() - started };
  };
  return { app, lines, config, conversations, recordings, record, signatureChecks, post };
}

async function azure(t: Test, fakeOpts: FakeAzureSpeechOptions) {
  const fake = await startFakeAzureSpeech(fakeOpts);
  const stt = new AzureSttProvider({ key: 'k', host: fake.url, initialConnectTimeoutMs: 2000 });
  const tts = new AzureTtsProvider({ key: 'k', host: fake.url, firstChunkTimeoutMs: 2000 });
  t.teardown(async () => {
    await tts.close();
    await fake.close();
  });
  return { fake, stt, tts };
}

async function openai(t: Test, fakeOpts: FakeOpenAIOptions) {
  const fake = await startFakeOpenAI(fakeOpts);
  t.teardown(() => fake.close());
  return { fake, llm: new OpenAiLlmProvider({ apiKey: 'sk-test', baseURL: fake.baseURL }) };
}

const playUrl = (body: string): string | undefined => /<Play>([^<]+)<\/Play>/.exec(body)?.[1];
const brokenTts = () => new EspeakTtsProvider({ binary: '/nonexistent/espeak-ng' });

t.test('a recorded Hebrew turn goes STT → LLM (with the prior history) → TTS and answers <Play>, then the next <Record>', async (t) => {
  const speech = await azure(t, { transcripts: [HEBREW_QUESTION], stt: { mode: 'end-of-stream' } });
  const llm = await openai(t, { replies: [{ text: HEBREW_REPLY }] });
  const h = await harness(t, { stt: speech.stt, llm: llm.llm, tts: speech.tts });
  await h.record.ready();
  const prior = [{ role: 'assistant' as const, content: 'שלום! במה אפשר לעזור?' }, { role: 'user' as const, content: 'אני רוצה לשאול על שעות' }, { role: 'assistant' as const, content: 'בשמחה, על איזה יום?' }];
  h.conversations.set('CA1', prior);

  const res = await h.post('/webhook/recording', { CallSid: 'CA1', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '2' });
  t.equal(res.status, 200);
  t.match(res.type, /text\/xml/);
  const url = playUrl(res.body) ?? '';
  t.match(url, /^https:\/\/agent\.example\.com\/audio\/[A-Za-z0-9_-]{22}\.wav$/, 'the reply is our own audio, by an unguessable URL');
  t.equal(res.body, `${XML}<Response><Play>${url}</Play>${RECORD_VERB}${redirect(1)}</Response>`);
  t.ok(res.ms < 5000, `answered in ${Math.round(res.ms)} ms`);

  t.same(h.recordings.requests.map((r) => r.authorized), [true], 'the recording was fetched once, with basic auth');
  t.match(h.recordings.requests[0]?.path, /\/Recordings\/RE[0-9a-f]{32}\.wav$/);
  const sent = (llm.fake.requests[0]?.messages ?? []) as Array<{ role: string; content: string }>;
  t.same(sent.filter((m) => m.role !== 'system').map((m) => m.content), [...prior.map((p) => p.content), HEBREW_QUESTION], 'the LLM saw the history and the Hebrew words intact');
  t.equal(speech.fake.ttsTurns.at(-1)?.text, HEBREW_REPLY, 'TTS spoke the reply');

  const audio = await h.app.inject({ method: 'GET', url: url.slice(BASE.length) });
  t.equal(audio.statusCode, 200);
  t.equal(audio.headers['content-type'], 'audio/wav');
  const wav = decodeWav(audio.rawPayload);
  t.same({ format: wav.format, sampleRate: wav.sampleRate, channels: wav.channels }, { format: 'mulaw', sampleRate: 8000, channels: 1 });
  t.equal(wav.samples.length, HEBREW_REPLY.length * 480, 'every byte the TTS made (60 ms a character in the fake)');

  t.same(h.conversations.get('CA1').slice(-2), [{ role: 'user', content: HEBREW_QUESTION }, { role: 'assistant', content: HEBREW_REPLY }]);
  const line = h.lines.find((l) => l['event'] === 'RECORD_TURN');
  t.match(line, { callSid: 'CA1', turn: 2, outcome: 'reply', tts: 'audio', fetchMs: Number, sttMs: Number, llmFirstTokenMs: Number, llmMs: Number, ttsMs: Number, totalMs: Number });
  t.equal(line?.['text'], '[redacted]', 'transcripts stay out of the log by default');
  t.same(h.signatureChecks, ['/webhook/recording'], 'the signature was checked');
});

t.test('an end_call tool call plays the goodbye and hangs up', async (t) => {
  const speech = await azure(t, { transcripts: ['תודה, זה הכל'], stt: { mode: 'end-of-stream' } });
  const llm = await openai(t, { replies: [{ text: 'תודה שהתקשרתם, להתראות!', toolCalls: [{ name: 'end_call', arguments: { reason: 'done' } }] }] });
  const h = await harness(t, { stt: speech.stt, llm: llm.llm, tts: speech.tts });
  const res = await h.post('/webhook/recording', { CallSid: 'CA2', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '1' });
  t.equal(res.body, `${XML}<Response><Play>${playUrl(res.body)}</Play><Hangup/></Response>`);
  t.notMatch(res.body, /<Record/);
});

t.test('a recording with no words gets a Hebrew "didn\'t catch that", not silence, and the LLM is not asked', async (t) => {
  let llmCalls = 0;
  const llm: LlmProvider = { name: 'spy', stream: async function* () { llmCalls++; yield { type: 'text', text: 'x' }; } };
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm, tts: brokenTts() });
  const res = await h.post('/webhook/recording', { CallSid: 'CA3', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '2' });
  t.equal(res.body, `${XML}<Response><Say language="he-IL" voice="Google.he-IL-Wavenet-A">סליחה, לא שמעתי. אפשר לחזור על זה?</Say>${RECORD_VERB}${redirect(1)}</Response>`);
  t.equal(llmCalls, 0);

  h.conversations.set('CA4', [{ role: 'user', content: 'What are your opening hours?' }]);
  const english = await h.post('/webhook/recording', { CallSid: 'CA4', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '2' });
  t.match(english.body, `<Say language="en-US">Sorry, I didn't catch that. Could you say it again?</Say>`, 'in the caller\'s language');
});

t.test('once phrases are cached, the re-prompt is <Play> of cached audio', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: new EspeakTtsProvider() });
  await h.record.ready();
  const a = await h.post('/webhook/recording', { CallSid: 'CA5', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '2' });
  const b = await h.post('/webhook/recording', { CallSid: 'CA6', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '2' });
  t.ok(playUrl(a.body), 'a <Play>');
  t.equal(playUrl(a.body), playUrl(b.body), 'the same cached phrase each time');
  const wav = await h.app.inject({ method: 'GET', url: (playUrl(a.body) ?? '').slice(BASE.length) });
  t.equal(decodeWav(wav.rawPayload).format, 'mulaw');
  t.ok(a.ms < 1000, `answered in ${Math.round(a.ms)} ms`);
});

t.test('a key press becomes a [DTMF n] turn without fetching the recording', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: new EspeakTtsProvider() });
  const res = await h.post('/webhook/recording', { CallSid: 'CA7', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '1', Digits: '1' });
  t.ok(playUrl(res.body));
  t.equal(h.recordings.requests.length, 0);
  const [user, assistant] = h.conversations.get('CA7');
  t.same(user, { role: 'user', content: '[DTMF 1]' });
  t.match(assistant?.content, /פתוחים/, 'the script\'s menu 1 answer (opening hours)');
});

t.test('a transfer_call tool call plays the reply and dials TRANSFER_NUMBER', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider({ transfer: true }), tts: brokenTts() }, { env: { TRANSFER_NUMBER: '+972501234567' } });
  const res = await h.post('/webhook/recording', { CallSid: 'CA15', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '1', Digits: '0' });
  t.equal(res.body, `${XML}<Response><Say language="he-IL" voice="Google.he-IL-Wavenet-A">אני מעבירה אתכם לנציג, רגע אחד בבקשה.</Say><Dial>+972501234567</Dial></Response>`);
});

t.test('without TRANSFER_NUMBER, asking for a representative gets the plain "cannot transfer" line and nothing is dialed', async (t) => {
  // the scripted agent is told to transfer by a script action even though no number is set: the policy still never dials
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider({ transfer: true }), tts: brokenTts() });
  const forced = await h.post('/webhook/recording', { CallSid: 'CA16', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '1', Digits: '0' });
  t.notMatch(forced.body, /<Dial/, 'a transfer_call with no number is refused, never dialed');
  t.match(forced.body, 'מצטערת, בקו הזה אי אפשר להעביר לנציג', 're-asked, the agent corrects itself');
  t.match(forced.body, /<Record /, 'the call goes on');
  t.match(h.lines.find((l) => l['event'] === 'TOOL_CALL'), { level: 'warn', code: 'TURN_ERR_UNKNOWN_TOOL', tool: 'transfer_call', callSid: 'CA16' });

  const honest = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: brokenTts() });
  const res = await honest.post('/webhook/recording', { CallSid: 'CA17', RecordingUrl: honest.recordings.add(phoneWav()), RecordingDuration: '1', Digits: '0' });
  t.equal(res.body, `${XML}<Response><Say language="he-IL" voice="Google.he-IL-Wavenet-A">מצטערת, בקו הזה אי אפשר להעביר לנציג. אפשר לשאול אותי על שעות הפתיחה, הכתובת או דרכי ההתקשרות.</Say>${RECORD_VERB}${redirect(1)}</Response>`);
});

t.test('a reply holding only a call of a tool we did not offer is re-asked once, and the caller hears the second answer', async (t) => {
  const llm = await openai(t, { replies: [{ toolCalls: [{ name: 'lookup_order', arguments: { id: 7 } }] }, { text: 'I cannot look that up, sorry.' }] });
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: llm.llm, tts: brokenTts() });
  const res = await h.post('/webhook/recording', { CallSid: 'CA18', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '1', Digits: '5' });
  t.match(res.body, '<Say language="en-US">I cannot look that up, sorry.</Say><Record ');
  t.equal(llm.fake.requests.length, 2);
  t.match((llm.fake.requests[1]?.messages as Array<{ role: string; content: string | null }>).at(-1), { role: 'tool', content: /TURN_ERR_UNKNOWN_TOOL/ });
  t.match(h.lines.find((l) => l['event'] === 'TOOL_CALL'), { level: 'warn', code: 'TURN_ERR_UNKNOWN_TOOL', tool: 'lookup_order', reask: true });
});

t.test('a model that only ever calls tools we did not offer gets the apology, with TURN_ERR_EMPTY_REPLY in the log', async (t) => {
  const llm = await openai(t, { reply: () => ({ toolCalls: [{ name: 'transfer_call' }] }) });
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: llm.llm, tts: brokenTts() }, { env: { APOLOGY_TEXT: 'Sorry, something went wrong.' } });
  const res = await h.post('/webhook/recording', { CallSid: 'CA19', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '1', Digits: '0' });
  t.match(res.body, '<Say language="en-US">Sorry, something went wrong.</Say><Record ');
  t.notMatch(res.body, /<Dial/);
  t.equal(llm.fake.requests.length, 2, 'asked again exactly once');
  t.match(h.lines.find((l) => l['event'] === 'RECORD_TURN'), { outcome: 'failed', stage: 'llm', code: 'TURN_ERR_EMPTY_REPLY' });
});

t.test('a caller who hung up gets an empty <Response/> at once, and nothing is fetched', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: brokenTts() });
  const res = await h.post('/webhook/recording', { CallSid: 'CA8', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '3', Digits: 'hangup' });
  t.equal(res.body, `${XML}<Response/>`);
  t.ok(res.ms < 200, `${Math.round(res.ms)} ms`);
  const completed = await h.post('/webhook/recording', { CallSid: 'CA8', RecordingUrl: h.recordings.add(phoneWav()), CallStatus: 'completed' });
  t.equal(completed.body, `${XML}<Response/>`);
  t.equal(h.recordings.requests.length, 0);
  t.equal(h.lines.filter((l) => l['event'] === 'RECORD_HANGUP').length, 2);
});

t.test('with signatures enforced, an unsigned recording is refused before anything is fetched; a signed one is answered', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: brokenTts() }, { enforceSignatures: true });
  const params = { CallSid: 'CA9', RecordingUrl: h.recordings.add(phoneWav()), RecordingDuration: '2' };
  const unsigned = await h.post('/webhook/recording', params);
  t.equal(unsigned.status, 403);
  t.match(unsigned.body, /WH_ERR_SIGNATURE_MISSING/);
  t.equal(h.recordings.requests.length, 0);
  const signature = getExpectedTwilioSignature(TOKEN, `${BASE}/webhook/recording`, params);
  const signed = await h.post('/webhook/recording', params, { 'x-twilio-signature': signature });
  t.equal(signed.status, 200);
  t.match(signed.body, /<Record /);
  const resume = await h.post('/webhook/record_resume?silent=1', { CallSid: 'CA9' });
  t.equal(resume.status, 403, 'record_resume is checked too');
  const cont = await h.post('/webhook/record_continue?turn=x', { CallSid: 'CA9' });
  t.equal(cont.status, 403, 'and record_continue');
});

t.test('startTwiml greets a fresh call with <Say> while the audio is not ready, then with <Play>, and logs FALLBACK_RECORD', async (t) => {
  const slowTts: TtsProvider = {
    name: 'slow-tts',
    synthesize: async function* (_text, signal) {
      // why: a slow TTS on purpose: the first start must be answered (with <Say>) before this audio is ready.
      await new Promise((r) => setTimeout(r, 300));
      if (!signal.aborted) yield new Uint8Array(800).fill(0x55);
    },
  };
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new OpenAiLlmProvider({ apiKey: 'sk-unused' }), tts: slowTts });
  const first = await h.post('/test/start', { CallSid: 'CA10', reason: 'media-down' });
  t.equal(first.body, `${XML}<Response><Say language="he-IL" voice="Google.he-IL-Wavenet-A">שלום! במה אפשר לעזור?</Say>${RECORD_VERB}${redirect(1)}</Response>`);
  t.ok(first.ms < 100, `never slow: ${Math.round(first.ms)} ms`);
  t.same(h.conversations.get('CA10'), [{ role: 'assistant', content: 'שלום! במה אפשר לעזור?' }], 'the greeting is in the history');
  t.match(h.lines.find((l) => l['event'] === 'FALLBACK_RECORD'), { callSid: 'CA10', reason: 'media-down' });

  await h.record.ready();
  const second = await h.post('/test/start', { CallSid: 'CA11', reason: 'forced' });
  t.match(second.body, new RegExp(`^${XML.replace(/[?.]/g, '\\$&')}<Response><Play>${BASE}/audio/[A-Za-z0-9_-]{22}\\.wav</Play><Record `));
});

t.test('startTwiml after a failed stream keeps the history and says a short resume phrase', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: brokenTts() }, { env: { GREETING_TEXT: 'Welcome!' } });
  const history = [{ role: 'assistant' as const, content: 'Welcome!' }, { role: 'user' as const, content: 'I need help with my order' }];
  h.conversations.set('CA12', history);
  const res = await h.post('/test/start', { CallSid: 'CA12', reason: 'stream-failed' });
  t.match(res.body, '<Say language="en-US">Sorry about that. Please go on.</Say><Record ');
  t.same(h.conversations.get('CA12'), history);
  const fresh = await h.post('/test/start', { CallSid: 'CA13', reason: 'forced' });
  t.match(fresh.body, '<Say language="en-US">Welcome!</Say>', 'GREETING_TEXT wins');
});

t.test('silence re-prompts twice, then says goodbye and hangs up', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: brokenTts() });
  const one = await h.post('/webhook/record_resume?silent=1', { CallSid: 'CA14' });
  t.equal(one.body, `${XML}<Response><Say language="he-IL" voice="Google.he-IL-Wavenet-A">אתם עדיין איתי? אפשר לדבר.</Say>${RECORD_VERB}${redirect(2)}</Response>`);
  const two = await h.post('/webhook/record_resume?silent=2', { CallSid: 'CA14' });
  t.match(two.body, redirect(3));
  const three = await h.post('/webhook/record_resume?silent=3', { CallSid: 'CA14' });
  t.equal(three.body, `${XML}<Response><Say language="he-IL" voice="Google.he-IL-Wavenet-A">לא שמעתי אתכם, אז אסיים את השיחה. להתראות.</Say><Hangup/></Response>`);
});

t.test('/audio answers 404 with a code for unknown or malformed ids', async (t) => {
  const h = await harness(t, { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: brokenTts() });
  for (const url of ['/audio/AAAAAAAAAAAAAAAAAAAAAA.wav', '/audio/nope.wav', '/audio/..%2Fetc.wav', '/audio/x']) {
    const res = await h.app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, url);
    t.equal(res.json().code, 'REC_ERR_AUDIO_NOT_FOUND');
  }
});
