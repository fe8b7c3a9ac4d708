// In-process: what the voice agent reports to the call feed — start, state changes, DTMF, barge-in, the turn as heard.
import t from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import { OpenAiLlmProvider, callTools, offeredToolNames, speechLikeMulaw, startFakeOpenAI } from '@tva/providers';
import type { CallNotice } from '@tva/security';
import { PiecewiseTts, voiceMedia } from './helpers/voice-media';

const LONG = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of a long answer.`).join(' ');

t.test('a barged-in DTMF turn: the feed gets the start, the key, the barge-in, the states, and the turn as heard', async (t) => {
  const fake = await startFakeOpenAI({ reply: () => ({ text: LONG }), interTokenDelayMs: 2 });
  t.teardown(() => fake.close());
  const llm = new OpenAiLlmProvider({ apiKey: 'sk-test', baseURL: fake.baseURL, tools: offeredToolNames(callTools(undefined)) });
  const notices: CallNotice[] = [];
  const { media } = await voiceMedia(t, llm, { tts: new PiecewiseTts([1600]), feed: (n) => notices.push(n) });
  const c = await SimulatedCall.connect({ url: media.url, ...media.callParams() });
  t.teardown(() => c.terminate());
  await media.waitFor('greeting played', () => c.result().marks.length > 0 && c.result().marks.every((m) => m.echoedAtMs !== null), 5000);
  c.sendDtmf('1');
  const marksBefore = c.result().marks.length;
  await media.waitFor('a second of the answer played', () => c.result().marks.filter((m, i) => i >= marksBefore && m.echoedAtMs !== null).length >= 6, 8000);
  await c.sendAudio(speechLikeMulaw(400));
  await media.waitFor('clear', () => c.result().clears.length > 0, 3000);
  await c.sendSilence(400);
  await media.waitFor('the turn re-reported as heard', () => notices.some((n) => n.kind === 'turn' && n.turn === 1 && n.interrupted), 5000);

  const start = notices[0];
  t.match(start, { kind: 'call-start', direction: 'phone', providers: { stt: 'dtmf-only-stt', tts: 'piecewise-tts' } }, 'the first notice is the start, with providers');
  t.ok(notices.some((n) => n.kind === 'event' && n.event === 'dtmf' && n.detail === '1'), 'the key press');
  t.ok(notices.some((n) => n.kind === 'event' && n.event === 'barge-in'), 'the barge-in');
  const states = notices.flatMap((n) => (n.kind === 'state' ? [n.state] : []));
  t.ok(states.includes('speaking') && states.includes('thinking') && states.includes('listening'), `states: ${states.join(' → ')}`);
  t.ok(states.every((s, i) => i === 0 || s !== states[i - 1]), 'a state is sent only when it changes');
  const reports = notices.filter((n): n is Extract<CallNotice, { kind: 'turn' }> => n.kind === 'turn' && n.turn === 1);
  t.equal(reports.length, 2, 'reported when generated (so a SIGKILL cannot lose it), then again when the barge-in cut it');
  t.equal(reports[0]?.agentText, LONG, 'first: the whole reply, not yet interrupted');
  const turn = reports[1] as Extract<CallNotice, { kind: 'turn' }>;
  t.equal(turn.interrupted, true);
  t.ok(turn.agentText.length > 0 && turn.agentText.length < LONG.length / 2 && LONG.startsWith(turn.agentText.replace(/…$/, '')), `as heard: ${turn.agentText.length} of ${LONG.length} chars`);
  t.match(turn.callerText, /1/, 'the key press as the caller\'s turn');
  t.type(turn.spans['endOfSpeech→firstAudio'], 'number');
});
