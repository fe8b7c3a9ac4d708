// In-process: the voice agent in createMediaServer, driven by the call simulator, with the real openai SDK against its fake.
import t, { type Test } from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import {
  OpenAiLlmProvider, ScriptedLlmProvider, callTools, offeredToolNames, speechLikeMulaw, startFakeOpenAI,
  type FakeOpenAIRequest, type FakeReply,
} from '@tva/providers';
import type { MediaServerHarness } from './helpers/start-media-server';
import { APOLOGY, voiceMedia } from './helpers/voice-media';

const LONG = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of a long answer.`).join(' ');

type Msg = { role: string; content: string | null };
const lastUser = (r: FakeOpenAIRequest): string => [...(r.messages as Msg[])].reverse().find((m) => m.role === 'user')?.content ?? '';

async function openai(t: Test, reply: (r: FakeOpenAIRequest) => FakeReply, transferNumber?: string): Promise<{ fake: Awaited<ReturnType<typeof startFakeOpenAI>>; llm: OpenAiLlmProvider }> {
  const fake = await startFakeOpenAI({ reply, interTokenDelayMs: 2 });
  t.teardown(() => fake.close());
  return { fake, llm: new OpenAiLlmProvider({ apiKey: 'sk-test', baseURL: fake.baseURL, tools: offeredToolNames(callTools(transferNumber)) }) };
}

async function call(t: Test, media: MediaServerHarness): Promise<{ c: SimulatedCall; sizes: number[] }> {
  const c = await SimulatedCall.connect({ url: media.url, ...media.callParams() });
  t.teardown(() => c.terminate());
  const sizes: number[] = [];
  c.on('media', (bytes: Uint8Array) => sizes.push(bytes.length));
  return { c, sizes };
}

const allPlayed = (c: SimulatedCall): boolean => c.result().marks.length > 0 && c.result().marks.every((m) => m.echoedAtMs !== null);

t.test('packing: every media message is whole 20 ms frames, at least 60 ms, each followed by its mark', async (t) => {
  const { llm } = await openai(t, () => ({ text: 'One. Two three. Four five six seven.' }));
  const { media, tts } = await voiceMedia(t, llm);
  const { c, sizes } = await call(t, media);
  c.sendDtmf('1');
  await media.waitFor('the reply played', () => tts.texts.includes('Four five six seven.') && allPlayed(c) && c.result().marks.length >= 4, 8000);
  t.ok(sizes.length >= 4);
  for (const n of sizes) t.ok(n % 160 === 0 && n >= 480, `${n} bytes`);
  t.equal(c.result().marks.length, sizes.length, 'a mark per chunk');
});

t.test('barge-in: clear, and the reply is kept in history flagged as interrupted with only what was heard', async (t) => {
  const { fake, llm } = await openai(t, (r) => (lastUser(r) === '[DTMF 1]' ? { text: LONG } : { text: 'Go on.' }));
  const { media } = await voiceMedia(t, llm);
  const { c } = await call(t, media);
  await media.waitFor('greeting played', () => allPlayed(c), 5000);
  c.sendDtmf('1');
  const marksBefore = c.result().marks.length;
  await media.waitFor('a second of the answer played', () => c.result().marks.filter((m, i) => i >= marksBefore && m.echoedAtMs !== null).length >= 6, 8000);
  await c.sendAudio(speechLikeMulaw(400));
  await media.waitFor('clear', () => c.result().clears.length > 0, 3000);
  await c.sendSilence(600);
  await media.waitFor('the next LLM request', () => fake.requests.length >= 2, 5000);
  const assistant = (fake.requests[1]?.messages as Msg[]).filter((m) => m.role === 'assistant').at(-1)?.content ?? '';
  t.ok(assistant.length > 0 && assistant.length < LONG.length / 2, `the LLM reads what was heard (${assistant.length} of ${LONG.length} chars)`);
  t.ok(LONG.startsWith(assistant.replace(/…$/, '')), 'a prefix of the reply');
  t.ok(await media.logged((l) => l['event'] === 'BARGE_IN' && typeof l['heard'] === 'string' && (l['heard'] as string).length > 0));
  await c.close(1001); // the stream ends without Twilio's stop: the call goes on in RECORD mode with this history
  await media.waitFor('outcome', () => media.outcomes.length === 1);
  const turns = media.outcomes[0]?.history ?? [];
  t.match(turns.find((m) => m.interrupted), { role: 'assistant', content: assistant, interrupted: true }, 'handed to RECORD mode as heard, flagged');
  t.notOk(turns.some((m) => m.content === LONG), 'the unheard rest is not handed over');
});

t.test('no transfer number: the scripted agent says it cannot transfer, and nothing is dialed', async (t) => {
  const scripted = new ScriptedLlmProvider();
  const { media, tts } = await voiceMedia(t, scripted);
  const { c } = await call(t, media);
  await media.waitFor('greeting', () => tts.texts.length > 0 || c.result().received.length > 0, 3000);
  c.sendDtmf('0');
  const line = scripted.script.transferUnavailable?.he ?? '';
  await media.waitFor('the "cannot transfer" line played', () => tts.texts.some((x) => line.startsWith(x)) && allPlayed(c) && c.result().marks.length > 1, 8000);
  t.notOk(c.result().closeCode, 'the call goes on');
  await c.stop();
  await media.waitFor('outcome', () => media.outcomes.length === 1);
  t.match(media.outcomes[0], { endedBy: 'peer' });
  t.notOk(media.outcomes[0]?.transfer, 'nothing to dial');
});

t.test('no transfer number: transfer_call is not offered, and a model calling it anyway is corrected, not obeyed', async (t) => {
  const { fake, llm } = await openai(t, (r) =>
    (r.messages as Msg[]).at(-1)?.role === 'tool' ? { text: 'I cannot transfer calls, but I can help you here.' } : { text: 'Transferring you now.', toolCalls: [{ name: 'transfer_call' }] },
  );
  const { media, tts } = await voiceMedia(t, llm);
  const { c } = await call(t, media);
  c.sendDtmf('0');
  await media.waitFor('the correction played', () => tts.texts.includes('I cannot transfer calls, but I can help you here.') && allPlayed(c), 8000);
  t.same((fake.requests[0]?.tools as Array<{ function: { name: string } }>).map((d) => d.function.name), ['end_call']);
  t.ok(c.isOpen, 'the stream was not ended for a transfer');
  t.ok(await media.logged((l) => l['event'] === 'TOOL_CALL' && l['code'] === 'TURN_ERR_UNKNOWN_TOOL' && l['level'] === 'warn'));
  await c.stop();
  await media.waitFor('outcome', () => media.outcomes.length === 1);
  t.notOk(media.outcomes[0]?.transfer);
});

t.test('with a number, transfer_call ends the stream with a typed transfer after the words play', async (t) => {
  const { llm } = await openai(t, () => ({ text: 'Transferring you now.', toolCalls: [{ name: 'transfer_call', arguments: { reason: 'asked' } }] }), '+972501234567');
  const { media } = await voiceMedia(t, llm, { transferNumber: '+972501234567' });
  const { c } = await call(t, media);
  c.sendDtmf('0');
  await c.closed();
  t.match(c.result(), { closeCode: 1000, closeReason: 'transfer' });
  t.ok(allPlayed(c), 'the words played before the close');
  await media.waitFor('outcome', () => media.outcomes.length === 1);
  t.match(media.outcomes[0], { endedBy: 'transfer', transfer: { kind: 'transfer', to: '+972501234567' } });
});

t.test('a reply holding only an unknown tool call is re-asked once, and the caller hears the answer', async (t) => {
  const { fake, llm } = await openai(t, (r) => ((r.messages as Msg[]).at(-1)?.role === 'tool' ? { text: 'Here is what I know.' } : { toolCalls: [{ name: 'lookup_order', arguments: { id: 7 } }] }));
  const { media, tts } = await voiceMedia(t, llm);
  const { c } = await call(t, media);
  await media.waitFor('greeting played', () => allPlayed(c), 5000);
  const heard = c.result().received.length;
  c.sendDtmf('5');
  await media.waitFor('the answer played', () => tts.texts.includes('Here is what I know.') && c.result().received.length > heard + 2000, 8000);
  t.equal(fake.requests.length, 2, 'asked once more');
  t.ok(await media.logged((l) => l['event'] === 'TOOL_CALL' && l['code'] === 'TURN_ERR_UNKNOWN_TOOL' && l['tool'] === 'lookup_order'));
});

t.test('a model that never answers in words: the apology plays instead of silence', async (t) => {
  const { fake, llm } = await openai(t, () => ({ toolCalls: [{ name: 'lookup_order' }] }));
  const { media } = await voiceMedia(t, llm);
  const { c } = await call(t, media);
  await media.waitFor('greeting played', () => allPlayed(c), 5000);
  const heard = c.result().received.length;
  c.sendDtmf('5');
  await media.waitFor('apology audio', () => c.result().received.length >= heard + APOLOGY.length * 160, 8000);
  t.equal(fake.requests.length, 2);
  t.ok(await media.logged((l) => l['event'] === 'EMPTY_REPLY' && l['code'] === 'TURN_ERR_EMPTY_REPLY'));
});
