// Conversations through the router with the real Azure and openai SDKs talking to local fakes of their services.
import t from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import { speechLikeMulaw, startFakeAzureSpeech, startFakeOpenAI, type FakeOpenAIRequest, type FakeReply } from '@tva/providers';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { fakeProvidersEnv } from '../apps/cli/src/stack/fake-providers-env';
import { postForm } from '../apps/cli/src/stack/http-get';

const GREETING = 'שלום, כאן העוזר הקולי של המספרה. במה אפשר לעזור?';
const APOLOGY = 'סליחה, הייתה לי תקלה קטנה. אפשר לחזור על זה?';
const QUESTION = 'מה שעות הפתיחה שלכם?';
const ANSWER = 'אנחנו פתוחים מראשון עד חמישי, מתשע בבוקר עד שש בערב.';
const LONG = 'זו תשובה ארוכה מאוד. '.repeat(12).trim();

type Msg = { role: string; content: string | null };
const lastUser = (r: FakeOpenAIRequest) => [...(r.messages as Msg[])].reverse().find((m) => m.role === 'user')?.content ?? '';

t.test('voice agent with fake Azure Speech and fake OpenAI', async (t) => {
  let next: FakeReply | undefined;
  const openai = await startFakeOpenAI({
    apiKey: 'sk-test',
    firstTokenDelayMs: 20,
    interTokenDelayMs: 5,
    reply: (req) => {
      const said = lastUser(req);
      if (next) {
        const r = next;
        next = undefined;
        return r;
      }
      if (said.startsWith('[DTMF')) return { text: `הקשת ${said.replace(/\D/g, '')}.` };
      if (said === QUESTION) return { text: ANSWER };
      return { text: 'לא הבנתי, אפשר לחזור?' };
    },
  });
  const azure = await startFakeAzureSpeech({ expectedKey: 'azure-test-key', tts: { msPerChar: 40, chunkBytes: 1600, chunkDelayMs: 20 }, stt: { segmentationSilenceMs: 400 } });
  const stack: Stack = await startStack({
    ...fakeProvidersEnv({ azureUrl: azure.url, azureKey: 'azure-test-key', openaiUrl: openai.baseURL, openaiKey: 'sk-test' }),
    GREETING_TEXT: GREETING,
    APOLOGY_TEXT: APOLOGY,
    LOG_TRANSCRIPTS: 'true',
    STT_SEGMENTATION_SILENCE_MS: '400',
    TURN_END_SILENCE_MS: '600',
    TRANSFER_NUMBER: '+972500000001',
    TTS_TIMEOUT_MS: '1500',
  });
  t.teardown(async () => {
    await stack.stop();
    await openai.close();
    await azure.close();
  });
  await stack.waitFor('greeting and apology cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'));

  const call = async () => {
    const c = await SimulatedCall.connect({ url: stack.wsUrl });
    t.teardown(() => c.terminate());
    return c;
  };
  const audioBytes = (c: SimulatedCall) => c.result().received.length;
  const waitUntil = async (what: string, probe: () => boolean, ms = 8000) => stack.waitFor(what, probe, ms);

  t.test('the greeting plays at once, in Hebrew, synthesized once and cached', async (t) => {
    const c = await call();
    await waitUntil('greeting audio', () => audioBytes(c) > 0, 3000);
    const r = c.result();
    const start = r.timeline.find((e) => e.event === 'start')?.atMs ?? 0;
    t.ok((r.firstAudioMs ?? Infinity) - start < 100, `first audio ${((r.firstAudioMs ?? 0) - start).toFixed(0)} ms after start`);
    t.ok(azure.ttsTurns.some((turn) => turn.text === GREETING), 'the Hebrew greeting reached the TTS service intact');
    t.match(azure.ttsTurns.find((turn) => turn.text === GREETING)?.ssml ?? '', /xml:lang="he-IL"[\s\S]*he-IL-HilaNeural/);
    const before = azure.ttsTurns.filter((turn) => turn.text === GREETING).length;
    const c2 = await call();
    await waitUntil('second greeting', () => audioBytes(c2) > 0, 3000);
    t.equal(azure.ttsTurns.filter((turn) => turn.text === GREETING).length, before, 'the second call did not synthesize it again');
  });

  t.test('a Hebrew question is answered, with a TURN line holding every latency', async (t) => {
    azure.setScript([QUESTION]);
    const c = await call();
    await c.sendSilence(300);
    await c.sendAudio(speechLikeMulaw(900));
    const heardBefore = audioBytes(c);
    await c.sendSilence(1200);
    await waitUntil('the answer synthesized', () => azure.ttsTurns.some((turn) => turn.text.includes('אנחנו פתוחים')));
    await waitUntil('answer audio', () => audioBytes(c) > heardBefore + 4000);
    const req = openai.requests.find((r) => lastUser(r) === QUESTION);
    t.ok(req, 'the LLM got the Hebrew transcript intact');
    t.equal((req?.messages as Msg[])[0]?.role, 'system', 'with the system prompt first');
    t.ok(await stack.logged((l) => l['event'] === 'STT_FINAL' && l['text'] === QUESTION), 'STT_FINAL logs the Hebrew text intact');
    await waitUntil('TURN line', () => stack.logs().some((l) => l['event'] === 'TURN' && (l['turn'] as number) >= 1 && l['endOfSpeech→firstAudio'] !== null));
    const turn = stack.logs().find((l) => l['event'] === 'TURN' && l['endOfSpeech→firstAudio'] !== null) as Record<string, number>;
    for (const k of ['endOfSpeech→sttFinal', 'sttFinal→llmFirstToken', 'llmFirstToken→ttsFirstAudio', 'ttsFirstAudio→mediaTx', 'endOfSpeech→firstAudio', 'TTS_LEN_ms']) {
      t.type(turn[k], 'number', `${k} = ${turn[k]}`);
    }
    for (const e of ['LLM_FIRST_TOKEN', 'TTS_LEN_ms', 'MEDIA_TX']) t.ok(await stack.logged((l) => l['event'] === e), `${e} logged`);
  });

  t.test('DTMF reaches the agent', async (t) => {
    const c = await call();
    await c.sendSilence(200);
    c.sendDtmf('7');
    await waitUntil('DTMF request', () => openai.requests.some((r) => lastUser(r) === '[DTMF 7]'));
    await waitUntil('DTMF answer spoken', () => azure.ttsTurns.some((turn) => turn.text.includes('הקשת 7')));
    t.pass('the key press became a turn and was answered');
  });

  t.test('barge-in: clear within 300 ms of speech onset, LLM/TTS stopped, history keeps only what was heard', async (t) => {
    azure.setScript(['רגע, שאלה אחרת', QUESTION]);
    next = { text: LONG };
    const c = await call();
    c.sendDtmf('1');
    const clears: number[] = [];
    c.on('clear', () => clears.push(performance.now()));
    await waitUntil('the long answer is playing', () => azure.ttsTurns.some((turn) => turn.text.startsWith('זו תשובה ארוכה')) && audioBytes(c) > 30000);
    await c.sendSilence(800);
    const onset = performance.now();
    const speaking = c.sendAudio(speechLikeMulaw(700));
    await waitUntil('clear', () => clears.length > 0, 3000);
    const ms = (clears[0] as number) - onset;
    t.ok(ms < 300, `clear ${ms.toFixed(0)} ms after speech onset`);
    await speaking;
    await c.sendSilence(1200);
    await waitUntil('next LLM request', () => openai.requests.some((r) => (r.messages as Msg[]).some((m) => m.role === 'assistant' && (m.content ?? '').startsWith('זו תשובה') && (m.content ?? '') !== LONG)));
    const req = openai.requests.find((r) => (r.messages as Msg[]).some((m) => m.role === 'assistant' && (m.content ?? '').startsWith('זו תשובה')));
    const kept = (req?.messages as Msg[]).find((m) => m.role === 'assistant' && (m.content ?? '').startsWith('זו תשובה'))?.content ?? '';
    t.ok(kept.length > 0 && kept.length < LONG.length, `history kept ${kept.length} of ${LONG.length} characters`);
    t.ok(await stack.logged((l) => l['event'] === 'BARGE_IN'), 'BARGE_IN logged');
  });

  t.test('an LLM failure yields the cached apology, not silence, and the call recovers', async (t) => {
    next = { status: 500 };
    const c = await call();
    await waitUntil('greeting', () => audioBytes(c) > 0, 3000);
    await c.sendSilence(3000);
    const before = audioBytes(c);
    c.sendDtmf('2');
    await waitUntil('apology audio', () => audioBytes(c) > before + 8000);
    t.ok(await stack.logged((l) => l['event'] === 'PROVIDER_ERROR' && l['stage'] === 'llm' && l['code'] === 'PROVIDER_CONNECTION'), 'logged with the provider code');
    const after = audioBytes(c);
    c.sendDtmf('3');
    await waitUntil('recovered: the next turn is answered', () => azure.ttsTurns.some((turn) => turn.text.includes('הקשת 3')) && audioBytes(c) > after);
  });

  t.test('STT refused (401): logged with its code, and the call still answers key presses', async (t) => {
    azure.failNext({ failAuth: 401 }, 'stt');
    const c = await call();
    await waitUntil('STT failure logged', () => stack.logs().some((l) => l['event'] === 'PROVIDER_ERROR' && l['stage'] === 'stt' && l['code'] === 'PROVIDER_AUTH'));
    c.sendDtmf('4');
    await waitUntil('the key press is answered', () => azure.ttsTurns.some((turn) => turn.text.includes('הקשת 4')));
    t.pass('no recognizer, but the caller is not left in silence');
  });

  t.test('TTS that never answers: the cached apology plays instead of silence', async (t) => {
    // the per-call synthesizer connects when the call starts: that connection accepts and then never answers
    azure.failNext({ hang: 'open' }, 'tts');
    const c = await call();
    await waitUntil('greeting', () => audioBytes(c) > 0, 3000);
    await c.sendSilence(1500);
    const before = audioBytes(c);
    c.sendDtmf('5');
    await waitUntil('TTS timeout logged', () => stack.logs().some((l) => l['event'] === 'PROVIDER_ERROR' && l['stage'] === 'tts'), 8000);
    await waitUntil('apology audio', () => audioBytes(c) > before + 8000, 5000);
    t.pass('apology heard');
  });

  t.test('a reply holding only a call of a tool we did not offer: logged with its code, re-asked once, and the caller hears the answer', async (t) => {
    next = { toolCalls: [{ name: 'lookup_order', arguments: { order: 42 } }] };
    const c = await call();
    await waitUntil('greeting', () => audioBytes(c) > 0, 3000);
    await c.sendSilence(2500);
    const before = audioBytes(c);
    c.sendDtmf('6');
    await waitUntil('the re-asked answer is spoken', () => azure.ttsTurns.some((turn) => turn.text.includes('הקשת 6')) && audioBytes(c) >= before + 1600);
    const reasked = openai.requests.find((r) => (r.messages as Msg[]).at(-1)?.role === 'tool');
    t.match((reasked?.messages as Msg[]).at(-1)?.content, /^error TURN_ERR_UNKNOWN_TOOL/, 'the model was told the tool does not exist');
    t.ok(await stack.logged((l) => l['event'] === 'TOOL_CALL' && l['level'] === 'warn' && l['code'] === 'TURN_ERR_UNKNOWN_TOOL' && l['tool'] === 'lookup_order'), 'logged at warn with its code');
    t.ok(c.isOpen);
  });

  t.test('end_call ends the stream deliberately after the goodbye plays', async (t) => {
    next = { text: 'תודה ולהתראות!', toolCalls: [{ name: 'end_call', arguments: { reason: 'done' } }] };
    const c = await call();
    c.sendDtmf('9');
    await c.closed();
    const r = c.result();
    t.equal(r.closeCode, 1000);
    t.equal(r.closeReason, 'agent-end');
    t.ok(r.marks.filter((m) => m.echoedAtMs !== null).length > 0, 'the goodbye played before the close');
    const ended = await postForm(`${stack.baseUrl}/webhook/stream_ended`, { CallSid: r.callSid });
    t.match(ended.body, '<Hangup/>', 'the <Connect action> then hangs up');
  });

  t.test('transfer_call ends the stream and the <Connect action> dials the configured number', async (t) => {
    next = { text: 'מעביר אותך לנציג.', toolCalls: [{ name: 'transfer_call', arguments: {} }] };
    const c = await call();
    c.sendDtmf('0');
    await c.closed();
    const r = c.result();
    t.equal(r.closeReason, 'transfer');
    const ended = await postForm(`${stack.baseUrl}/webhook/stream_ended`, { CallSid: r.callSid });
    t.match(ended.body, '<Dial>+972500000001</Dial>');
  });
});
