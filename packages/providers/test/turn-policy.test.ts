// The one turn policy both modes use: the DTMF turn text, which tools are offered and obeyed, and the re-ask rule.
import t from 'tap';
import { ProviderError, type ChatMessage, type LlmChunk, type LlmProvider, type ToolCall } from '../src/contracts';
import { startFakeOpenAI } from '../src/fakes/openai';
import { OpenAiLlmProvider } from '../src/openai';
import { captureLogger } from '../../../test-support/capture-logger';
import {
  MAX_REASKS, UNRECOGNIZED_SPEECH_TURN, callTools, decideReply, dtmfKeysOf, dtmfTurnText, judgeToolCall, offeredToolNames, runLlmReply, spokenText,
} from '../src/turn-policy';

const NUMBER = '+972501234567';
const call = (name: string, args: Record<string, unknown> = {}, id = `call_${name}`): ToolCall => ({ id, name, arguments: args });
const user: ChatMessage[] = [{ role: 'user', content: 'hello' }];

const logSink = () => captureLogger('test');

/** An LlmProvider that answers each request with the next scripted list of chunks, and records what it was sent. */
function scriptedLlm(...answers: LlmChunk[][]): LlmProvider & { requests: ChatMessage[][] } {
  const requests: ChatMessage[][] = [];
  return {
    name: 'scripted-test',
    requests,
    async *stream(messages) {
      requests.push([...messages]);
      yield* answers[requests.length - 1] ?? [];
    },
  };
}

const text = (s: string): LlmChunk => ({ type: 'text', text: s });
const tool = (c: ToolCall): LlmChunk => ({ type: 'tool_call', call: c });

t.test('a key press is "[DTMF n]" in both directions, and only DTMF keys become a turn', async (t) => {
  t.equal(dtmfTurnText('5'), '[DTMF 5]');
  t.equal(dtmfTurnText('*#'), '[DTMF *#]');
  t.equal(dtmfTurnText('D'), '[DTMF D]');
  t.equal(dtmfKeysOf('[DTMF 5]'), '5');
  t.equal(dtmfKeysOf(' [dtmf #] '), '#');
  t.equal(dtmfKeysOf('press 5'), undefined);
  t.equal(dtmfKeysOf(UNRECOGNIZED_SPEECH_TURN), undefined);
  for (const bad of ['', 'x', '5 ', '1'.repeat(3) + ']', 'A'.repeat(20_000) + 'x', '\u0000']) t.equal(dtmfTurnText(bad), undefined, JSON.stringify(bad.slice(0, 8)));
});

t.test('transfer_call is offered only with a valid E.164 number', async (t) => {
  for (const bad of [undefined, '', 'unset', '0501234567', '+0501234567', '+12', `${NUMBER} `, 'tel:+972501234567']) {
    t.same(callTools(bad), { transferTo: undefined }, String(bad));
    t.same(offeredToolNames(callTools(bad)), ['end_call']);
  }
  t.same(offeredToolNames(callTools(NUMBER)), ['end_call', 'transfer_call']);
});

t.test('a tool call becomes an action only when it was offered and its arguments fit', async (t) => {
  const none = callTools(undefined);
  const some = callTools(NUMBER);
  t.match(judgeToolCall(call('end_call', { reason: 'bye' }), none), { ok: true, action: { kind: 'hangup' } });
  t.match(judgeToolCall(call('end_call'), none), { ok: true, action: { kind: 'hangup' } }, 'reason is optional');
  t.match(judgeToolCall(call('transfer_call'), some), { ok: true, action: { kind: 'transfer', to: NUMBER } });
  t.match(judgeToolCall(call('transfer_call'), none), { ok: false, code: 'TURN_ERR_UNKNOWN_TOOL' }, 'no number: transfer_call is not a tool');
  t.match(judgeToolCall(call('book_flight'), some), { ok: false, code: 'TURN_ERR_UNKNOWN_TOOL' });
  t.match(judgeToolCall(call('end_call', { _raw: '{"reason":' }), some), { ok: false, code: 'TURN_ERR_BAD_TOOL_ARGS' });
  t.match(judgeToolCall(call('end_call', { reason: 7 }), some), { ok: false, code: 'TURN_ERR_BAD_TOOL_ARGS' });
  t.match(judgeToolCall(call('transfer_call', { number: '+19005550100' }), some), { ok: false, code: 'TURN_ERR_BAD_TOOL_ARGS' }, 'the model never picks the number');
});

t.test('the reply rule: act, re-ask once after a refused tool call, speak, or apologize when the caller heard nothing', async (t) => {
  const none = callTools(undefined);
  const fresh = { reasks: 0, spoken: false };
  const spoken = decideReply({ text: 'Hi there.', toolCalls: [] }, none, fresh);
  t.match(spoken, { next: 'done', action: undefined, code: undefined, toolResults: [] });

  const bye = decideReply({ text: 'Goodbye!', toolCalls: [call('end_call')] }, none, fresh);
  t.match(bye, { next: 'done', action: { kind: 'hangup' } });
  t.same(bye.toolResults, [{ role: 'tool', toolCallId: 'call_end_call', content: 'ok' }]);
  t.match(decideReply({ text: '', toolCalls: [call('end_call')] }, none, fresh), { next: 'done', action: { kind: 'hangup' } }, 'a valid action needs no words');

  const onlyUnknown = decideReply({ text: '  ', toolCalls: [call('transfer_call')] }, none, fresh);
  t.match(onlyUnknown, { next: 're-ask', action: undefined, code: undefined });
  t.match(onlyUnknown.toolResults, [{ role: 'tool', toolCallId: 'call_transfer_call', content: /TURN_ERR_UNKNOWN_TOOL.*Answer the caller in words/ }]);
  const promised = decideReply({ text: 'Let me transfer you now.', toolCalls: [call('transfer_call')] }, none, fresh);
  t.match(promised, { next: 're-ask', action: undefined }, 'words that promise what the refused tool would do get corrected');
  t.match(decideReply({ text: '', toolCalls: [call('end_call', { _raw: 'x' })] }, none, fresh), { next: 're-ask' }, 'bad arguments too');

  const again = { reasks: MAX_REASKS, spoken: false };
  t.match(decideReply({ text: '', toolCalls: [call('transfer_call')] }, none, again), { next: 'apologize', code: 'TURN_ERR_EMPTY_REPLY' }, 're-asked only once');
  t.match(decideReply({ text: '', toolCalls: [call('transfer_call')] }, none, { reasks: MAX_REASKS, spoken: true }), { next: 'done', code: undefined }, 'the first answer was heard');
  t.match(decideReply({ text: 'Sorry.', toolCalls: [call('transfer_call')] }, none, again), { next: 'done' });
  t.match(decideReply({ text: '', toolCalls: [] }, none, fresh), { next: 'apologize', code: 'TURN_ERR_EMPTY_REPLY' }, 'an empty answer has nothing to answer: apology');

  const two = decideReply({ text: 'Bye.', toolCalls: [call('end_call', {}, 'a'), call('end_call', {}, 'b')] }, none, fresh);
  t.same(two.toolResults.map((r) => r.content), ['ok', 'skipped: the call is already ending'], 'the first action wins');
  t.match(decideReply({ text: '', toolCalls: [call('nope'), call('end_call')] }, none, fresh), { next: 'done', action: { kind: 'hangup' } }, 'a valid action beats a refused one');
});

t.test('runLlmReply: an unknown-tool-only answer is logged with its code, answered as a tool error, and re-asked once', async (t) => {
  const { log, lines } = logSink();
  const llm = scriptedLlm([tool(call('transfer_call'))], [text('Sorry, I cannot transfer you.')]);
  const heard: string[] = [];
  const reply = await runLlmReply({ llm, messages: user, tools: callTools(undefined), signal: new AbortController().signal, log, onText: (s) => heard.push(s) });
  t.equal(llm.requests.length, 2);
  t.same(llm.requests[1]?.slice(1), [
    { role: 'assistant', content: '', toolCalls: [call('transfer_call')] },
    { role: 'tool', toolCallId: 'call_transfer_call', content: llm.requests[1]?.[2]?.content },
  ]);
  t.match(llm.requests[1]?.[2]?.content, /TURN_ERR_UNKNOWN_TOOL/);
  t.same(heard, ['Sorry, I cannot transfer you.'], 'the caller hears the second answer');
  t.match(reply, { action: undefined, failure: undefined, aborted: false });
  t.equal(reply.attempts.length, 2);
  t.equal(spokenText(reply), 'Sorry, I cannot transfer you.');
  t.match(lines.find((l) => l['event'] === 'TOOL_CALL'), { level: 'warn', code: 'TURN_ERR_UNKNOWN_TOOL', tool: 'transfer_call', reask: true });
});

t.test('runLlmReply: words that came with a refused tool call are kept, and the correction follows them', async (t) => {
  const { log } = logSink();
  const llm = scriptedLlm([text('Let me transfer you.'), tool(call('transfer_call'))], [text('Actually, I cannot transfer calls here.')]);
  const reasked: number[] = [];
  const reply = await runLlmReply({ llm, messages: user, tools: callTools(undefined), signal: new AbortController().signal, log, onReask: (a) => reasked.push(a.toolResults.length) });
  t.same(reasked, [1]);
  t.equal(spokenText(reply), 'Let me transfer you. Actually, I cannot transfer calls here.');
  t.match(reply, { action: undefined, failure: undefined });
});

t.test('runLlmReply: wordless twice is TURN_ERR_EMPTY_REPLY (the apology), logged at warn', async (t) => {
  const { log, lines } = logSink();
  const llm = scriptedLlm([tool(call('lookup'))], [tool(call('lookup', {}, 'again'))]);
  const reply = await runLlmReply({ llm, messages: user, tools: callTools(NUMBER), signal: new AbortController().signal, log });
  t.equal(llm.requests.length, 2, 'asked again once, not more');
  t.equal(reply.failure, 'TURN_ERR_EMPTY_REPLY');
  t.match(lines.filter((l) => l['event'] === 'TOOL_CALL').map((l) => l['code']), ['TURN_ERR_UNKNOWN_TOOL', 'TURN_ERR_UNKNOWN_TOOL']);
  t.match(lines.find((l) => l['event'] === 'EMPTY_REPLY'), { level: 'warn', code: 'TURN_ERR_EMPTY_REPLY' });
});

t.test('runLlmReply: an abort returns the partial answer unjudged; a provider error throws', async (t) => {
  const { log } = logSink();
  const ac = new AbortController();
  const hanging: LlmProvider = {
    name: 'hanging',
    async *stream() {
      yield text('Half a ');
      ac.abort();
      yield tool(call('end_call'));
      await new Promise(() => undefined);
    },
  };
  const reply = await runLlmReply({ llm: hanging, messages: user, tools: callTools(undefined), signal: ac.signal, log });
  t.match(reply, { aborted: true, action: undefined, failure: undefined });
  t.equal(reply.attempts[0]?.attempt.text, 'Half a ');

  const broken: LlmProvider = {
    name: 'broken',
    // eslint-disable-next-line require-yield
    async *stream() {
      throw new ProviderError('broken', 'PROVIDER_CONNECTION', 'down');
    },
  };
  await t.rejects(runLlmReply({ llm: broken, messages: user, tools: callTools(undefined), signal: new AbortController().signal, log }), { code: 'PROVIDER_CONNECTION' });
});

t.test('through the real SDK: transfer_call is not offered without a number, and calling it anyway is re-asked', async (t) => {
  const fake = await startFakeOpenAI({ replies: [{ toolCalls: [{ name: 'transfer_call', arguments: { reason: 'asked for a person' } }] }, { text: 'I cannot transfer calls, but I can help.' }] });
  t.teardown(() => fake.close());
  const tools = callTools(undefined);
  const llm = new OpenAiLlmProvider({ apiKey: 'sk-test', baseURL: fake.baseURL, tools: offeredToolNames(tools) });
  const { log } = logSink();
  const reply = await runLlmReply({ llm, messages: user, tools, signal: new AbortController().signal, log });
  t.same((fake.requests[0]?.tools as Array<{ function: { name: string } }>).map((d) => d.function.name), ['end_call'], 'only end_call offered');
  const second = fake.requests[1]?.messages as Array<Record<string, unknown>>;
  t.match(second.at(-2), { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'transfer_call' } }] });
  t.match(second.at(-1), { role: 'tool', content: /^error TURN_ERR_UNKNOWN_TOOL/ });
  t.equal(second.at(-1)?.['tool_call_id'], (second.at(-2)?.['tool_calls'] as Array<{ id: string }>)[0]?.id);
  t.equal(reply.attempts.at(-1)?.attempt.text, 'I cannot transfer calls, but I can help.');
});
