// The real openai SDK, through OpenAiLlmProvider, against the fake chat-completions server.
import t, { type Test } from 'tap';
import { ProviderError, type ChatMessage, type LlmChunk } from '../src/contracts';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../src/fakes/openai';
import { OpenAiLlmProvider, type OpenAiLlmOptions } from '../src/openai';

const user = (content: string): ChatMessage[] => [{ role: 'user', content }];

async function withFake(
  t: Test,
  fakeOpts: FakeOpenAIOptions,
  llmOpts: Partial<OpenAiLlmOptions> = {},
): Promise<{ fake: FakeOpenAI; llm: OpenAiLlmProvider }> {
  const fake = await startFakeOpenAI(fakeOpts);
  t.teardown(() => fake.close());
  const llm = new OpenAiLlmProvider({ apiKey: 'sk-test', baseURL: fake.baseURL, ...llmOpts });
  return { fake, llm };
}

async function collect(iter: AsyncIterable<LlmChunk>): Promise<LlmChunk[]> {
  const out: LlmChunk[] = [];
  for await (const c of iter) out.push(c);
  return out;
}

async function failure(iter: AsyncIterable<LlmChunk>): Promise<ProviderError> {
  try {
    await collect(iter);
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected a ProviderError');
}

const texts = (chunks: LlmChunk[]): string[] => chunks.flatMap((c) => (c.type === 'text' ? [c.text] : []));

t.test('text streams as deltas, in order, word by word', async (t) => {
  const { llm, fake } = await withFake(t, { replies: [{ text: 'Hello there, how can I help you today?' }] });
  const chunks = await collect(llm.stream(user('hi'), new AbortController().signal));
  t.same(texts(chunks), ['Hello ', 'there, ', 'how ', 'can ', 'I ', 'help ', 'you ', 'today?']);
  t.equal(fake.requests[0]?.stream, true);
  t.equal(fake.requests[0]?.model, 'gpt-4o-mini');
});

t.test('deltas arrive as the server sends them, not all at the end', async (t) => {
  const { llm } = await withFake(t, { replies: [{ text: 'one two three four', interTokenDelayMs: 150 }] });
  const start = Date.now();
  const times: number[] = [];
  for await (const c of llm.stream(user('count'), new AbortController().signal)) if (c.type === 'text') times.push(Date.now() - start);
  t.equal(times.length, 4);
  // Sent 450 ms apart end to end; a loaded test machine may bunch some, never all.
  t.ok((times[3] as number) - (times[0] as number) >= 250, `spread over time: ${times.map((x) => x.toFixed(0)).join(', ')}`);
});

t.test('an end_call tool call is assembled from argument pieces', async (t) => {
  const { llm, fake } = await withFake(t, {
    replies: [{ text: 'Goodbye!', toolCalls: [{ id: 'call_1', name: 'end_call', arguments: { reason: 'caller said goodbye' } }] }],
  });
  const chunks = await collect(llm.stream(user('bye'), new AbortController().signal));
  t.same(chunks, [
    { type: 'text', text: 'Goodbye!' },
    { type: 'tool_call', call: { id: 'call_1', name: 'end_call', arguments: { reason: 'caller said goodbye' } } },
  ]);
  const tools = fake.requests[0]?.tools as Array<{ function: { name: string } }>;
  t.same(tools.map((x) => x.function.name), ['end_call'], 'only end_call is offered by default');
});

t.test('transfer_call is offered when enabled and comes back parsed; the model supplies no number', async (t) => {
  const { llm, fake } = await withFake(
    t,
    { replies: [{ toolCalls: [{ name: 'transfer_call', arguments: { reason: 'wants a human' } }, { name: 'end_call' }] }] },
    { tools: ['end_call', 'transfer_call'] },
  );
  const chunks = await collect(llm.stream(user('a human please'), new AbortController().signal));
  t.same(
    chunks.map((c) => (c.type === 'tool_call' ? [c.call.name, c.call.arguments] : c.text)),
    [
      ['transfer_call', { reason: 'wants a human' }],
      ['end_call', {}],
    ],
  );
  const tools = fake.requests[0]?.tools as Array<{ function: { name: string; parameters: { properties: object } } }>;
  t.same(tools.map((x) => x.function.name), ['end_call', 'transfer_call']);
  t.same(Object.keys(tools[1]?.function.parameters.properties ?? {}), ['reason']);
});

t.test('unknown tool names are refused at construction', async (t) => {
  t.throws(() => new OpenAiLlmProvider({ apiKey: 'k', tools: ['launch_rocket' as 'end_call'] }), { code: 'PROVIDER_UNAVAILABLE' });
  t.throws(() => new OpenAiLlmProvider({ apiKey: '' }), { code: 'PROVIDER_UNAVAILABLE' });
});

t.test('history maps to OpenAI messages: system prompt first, tool calls and results', async (t) => {
  const { llm, fake } = await withFake(t, { replies: [{ text: 'ok' }] }, { systemPrompt: 'You are a phone agent.', model: 'gpt-test', temperature: 0.3 });
  const history: ChatMessage[] = [
    { role: 'user', content: 'שלום' },
    { role: 'assistant', content: 'Transferring you.', toolCalls: [{ id: 'c1', name: 'transfer_call', arguments: { reason: 'x' } }] },
    { role: 'tool', toolCallId: 'c1', content: 'transfer failed: no answer' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'c2', name: 'end_call', arguments: {} }] },
    { role: 'tool', toolCallId: 'nope', content: 'orphan' },
    { role: 'user', content: 'still there?' },
  ];
  await collect(llm.stream(history, new AbortController().signal));
  const req = fake.requests[0];
  t.equal(req?.model, 'gpt-test');
  t.equal(req?.body?.['temperature'], 0.3);
  t.same(req?.messages, [
    { role: 'system', content: 'You are a phone agent.' },
    { role: 'user', content: 'שלום' },
    {
      role: 'assistant',
      content: 'Transferring you.',
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'transfer_call', arguments: '{"reason":"x"}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: 'transfer failed: no answer' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c2', type: 'function', function: { name: 'end_call', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c2', content: 'done' },
    { role: 'user', content: 'still there?' },
  ]);
});

t.test('Hebrew text survives both ways, even split mid-character sequence', async (t) => {
  const hebrew = 'שלום! השעות שלנו הן 9:00–17:00, ימים א׳–ה׳. 😀';
  const { llm, fake } = await withFake(t, { replies: [{ text: hebrew, split: 'chars' }] });
  const chunks = await collect(llm.stream(user('מה שעות הפתיחה שלכם?'), new AbortController().signal));
  t.equal(texts(chunks).join(''), hebrew);
  t.same(fake.requests[0]?.messages, [{ role: 'user', content: 'מה שעות הפתיחה שלכם?' }]);
});

t.test('aborting mid-stream ends the iteration promptly and the server sees the close', async (t) => {
  const { llm, fake } = await withFake(t, { replies: [{ text: 'a b c d e f g h i j k l m n o p', interTokenDelayMs: 100 }] });
  const ac = new AbortController();
  const got: string[] = [];
  let abortedAt = 0;
  const done = (async () => {
    for await (const c of llm.stream(user('talk'), ac.signal)) {
      if (c.type === 'text') got.push(c.text);
      if (got.length === 2) {
        abortedAt = Date.now();
        setTimeout(() => ac.abort(), 10);
      }
    }
  })();
  await done;
  const took = Date.now() - abortedAt;
  t.ok(took < 200, `ended ${took} ms after the abort`);
  t.ok(got.length < 5, `stopped early (${got.length} deltas)`);
  await fake.requests[0]?.settled;
  t.equal(fake.requests[0]?.clientClosedEarly, true);
});

t.test('aborting before the response arrives ends quietly', async (t) => {
  const { llm, fake } = await withFake(t, { replies: [{ hang: true }] });
  const ac = new AbortController();
  let abortedAt = 0;
  void fake.waitForRequest(0).then(() => {
    abortedAt = Date.now();
    ac.abort();
  });
  t.same(await collect(llm.stream(user('x'), ac.signal)), []);
  const took = Date.now() - abortedAt;
  t.ok(took < 200, `ended ${took} ms after the abort`);
  await fake.requests[0]?.settled;
  t.equal(fake.requests[0]?.clientClosedEarly, true);
});

t.test('an already-aborted signal yields nothing and sends nothing', async (t) => {
  const { llm, fake } = await withFake(t, {});
  const ac = new AbortController();
  ac.abort();
  t.same(await collect(llm.stream(user('x'), ac.signal)), []);
  t.equal(fake.requests.length, 0);
});

t.test('breaking out of the loop closes the HTTP stream', async (t) => {
  const { llm, fake } = await withFake(t, { replies: [{ text: 'one two three four five six', interTokenDelayMs: 50 }] });
  for await (const c of llm.stream(user('x'), new AbortController().signal)) if (c.type === 'text') break;
  await fake.requests[0]?.settled;
  t.equal(fake.requests[0]?.clientClosedEarly, true);
});

for (const [status, code, retryable] of [
  [401, 'PROVIDER_AUTH', false],
  [403, 'PROVIDER_AUTH', false],
  [429, 'PROVIDER_RATE_LIMIT', true],
  [500, 'PROVIDER_CONNECTION', true],
  [503, 'PROVIDER_CONNECTION', true],
  [400, 'PROVIDER_BAD_RESPONSE', false],
] as const) {
  t.test(`HTTP ${status} becomes ${code}`, async (t) => {
    const { llm, fake } = await withFake(t, { status });
    const err = await failure(llm.stream(user('x'), new AbortController().signal));
    t.equal(err.code, code);
    t.equal(err.providerCode, status);
    t.equal(err.retryable, retryable);
    t.equal(err.provider, 'openai-llm');
    t.equal(fake.requests.length, 1, 'no SDK retries');
  });
}

t.test('a wrong key is answered 401 by the fake and maps to PROVIDER_AUTH', async (t) => {
  const { llm } = await withFake(t, { apiKey: 'sk-right' });
  const err = await failure(llm.stream(user('x'), new AbortController().signal));
  t.equal(err.code, 'PROVIDER_AUTH');
  t.match(err.message, /Incorrect API key/);
});

t.test('429 insufficient_quota is not retryable', async (t) => {
  const { llm } = await withFake(t, { replies: [{ status: 429, errorCode: 'insufficient_quota' }] });
  const err = await failure(llm.stream(user('x'), new AbortController().signal));
  t.equal(err.code, 'PROVIDER_RATE_LIMIT');
  t.equal(err.retryable, false);
});

t.test('a socket dropped mid-stream is PROVIDER_CONNECTION after the text so far', async (t) => {
  const { llm } = await withFake(t, { replies: [{ text: 'one two three four five', dropAfterTokens: 2 }] });
  const got: LlmChunk[] = [];
  let caught: unknown;
  try {
    for await (const c of llm.stream(user('x'), new AbortController().signal)) got.push(c);
  } catch (err) {
    caught = err;
  }
  t.same(texts(got), ['one ', 'two ']);
  t.ok(caught instanceof ProviderError);
  t.equal((caught as ProviderError).code, 'PROVIDER_CONNECTION');
  t.equal((caught as ProviderError).retryable, true);
});

t.test('a refused connection is PROVIDER_CONNECTION', async (t) => {
  const fake = await startFakeOpenAI();
  const baseURL = fake.baseURL;
  await fake.close();
  const llm = new OpenAiLlmProvider({ apiKey: 'k', baseURL });
  const err = await failure(llm.stream(user('x'), new AbortController().signal));
  t.equal(err.code, 'PROVIDER_CONNECTION');
  t.equal(err.providerCode, 'ECONNREFUSED');
});

t.test('no first token before the deadline is PROVIDER_TIMEOUT (headers sent, body late)', async (t) => {
  const { llm, fake } = await withFake(t, { replies: [{ text: 'late', firstTokenDelayMs: 2000 }] }, { timeoutMs: 150 });
  const start = Date.now();
  const err = await failure(llm.stream(user('x'), new AbortController().signal));
  t.equal(err.code, 'PROVIDER_TIMEOUT');
  t.equal(err.retryable, true);
  t.ok(Date.now() - start < 600, `gave up after ${Date.now() - start} ms`);
  await fake.requests[0]?.settled;
  t.equal(fake.requests[0]?.clientClosedEarly, true, 'the request is closed, not left running');
});

t.test('a hung server (no headers) is PROVIDER_TIMEOUT too', async (t) => {
  const { llm } = await withFake(t, { hang: true }, { timeoutMs: 150 });
  const err = await failure(llm.stream(user('x'), new AbortController().signal));
  t.equal(err.code, 'PROVIDER_TIMEOUT');
});

t.test('a stall mid-answer hits the idle deadline', async (t) => {
  const { llm } = await withFake(t, { replies: [{ text: 'one two', interTokenDelayMs: 1000 }] }, { idleTimeoutMs: 150 });
  const got: LlmChunk[] = [];
  let caught: unknown;
  try {
    for await (const c of llm.stream(user('x'), new AbortController().signal)) got.push(c);
  } catch (err) {
    caught = err;
  }
  t.same(texts(got), ['one ']);
  t.equal((caught as ProviderError).code, 'PROVIDER_TIMEOUT');
});

t.test('the fake answers non-streaming requests the SDK parses', async (t) => {
  const fake = await startFakeOpenAI({ replies: [{ text: 'whole answer', toolCalls: [{ name: 'end_call', arguments: {} }] }] });
  t.teardown(() => fake.close());
  const { OpenAI } = await import('openai');
  const client = new OpenAI({ apiKey: 'k', baseURL: fake.baseURL, maxRetries: 0 });
  const res = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
  t.equal(res.choices[0]?.message.content, 'whole answer');
  t.equal(res.choices[0]?.finish_reason, 'tool_calls');
  const call = res.choices[0]?.message.tool_calls?.[0];
  t.equal(call?.type === 'function' ? call.function.name : undefined, 'end_call');
  t.equal(fake.requests[0]?.stream, false);
});

t.test('a reply function sees the request and the queue is used first', async (t) => {
  const { llm } = await withFake(t, {
    replies: [{ text: 'queued' }],
    reply: (req) => ({ text: `echo ${String((req.messages.at(-1) as { content: string }).content)}` }),
  });
  t.same(texts(await collect(llm.stream(user('a'), new AbortController().signal))), ['queued']);
  t.same(texts(await collect(llm.stream(user('b'), new AbortController().signal))).join(''), 'echo b');
});

t.test('the fake streams a usage chunk when asked, which the SDK accepts', async (t) => {
  const fake = await startFakeOpenAI({ replies: [{ text: 'a b c' }] });
  t.teardown(() => fake.close());
  const { OpenAI } = await import('openai');
  const client = new OpenAI({ apiKey: 'k', baseURL: fake.baseURL, maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'x' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  t.same(chunks.at(-1)?.choices, []);
  t.equal(chunks.at(-1)?.usage?.completion_tokens, 3);
  t.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'stop');
});

t.test('a slow consumer does not trip the idle deadline', async (t) => {
  const { llm } = await withFake(t, { replies: [{ text: 'one two three' }] }, { idleTimeoutMs: 100 });
  const got: string[] = [];
  for await (const c of llm.stream(user('x'), new AbortController().signal)) {
    if (c.type === 'text') got.push(c.text);
    // why: the point is a consumer slower than the 100 ms idle deadline; the pause itself is what is tested.
    await new Promise((r) => setTimeout(r, 250));
  }
  t.same(got, ['one ', 'two ', 'three']);
});

/** The raw SSE frames of one streamed answer, parsed (`[DONE]` kept as a string). */
async function rawStream(baseURL: string, body: Record<string, unknown>): Promise<Array<Record<string, unknown> | string>> {
  const res = await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', stream: true, ...body }) });
  const text = await res.text();
  return text.split('\n\n').filter(Boolean).map((frame) => {
    const data = frame.replace(/^data: /, '');
    return data === '[DONE]' ? data : (JSON.parse(data) as Record<string, unknown>);
  });
}

// Shapes checked against the recorded streams in openai-node's own tests (tests/lib/__snapshots__/ChatCompletionStream.test.ts.snap,
// tests/lib/ChatCompletionStream.test.ts: `obfuscation` on chunks, tool-call deltas, Azure filter chunks without deltas).
t.test("the fake streams today's chunk shapes: service_tier, usage null, obfuscation, role-only first delta, tiny argument fragments", async (t) => {
  const fake = await startFakeOpenAI({ replies: [{ text: 'Bye now.', toolCalls: [{ name: 'end_call', arguments: { reason: 'caller is done' } }] }, { text: 'x' }] });
  t.teardown(() => fake.close());
  const frames = await rawStream(fake.baseURL, { messages: [{ role: 'user', content: 'bye' }], stream_options: { include_usage: true } });
  t.equal(frames.at(-1), '[DONE]');
  const chunks = frames.slice(0, -1) as Array<Record<string, unknown>>;
  for (const c of chunks) {
    t.match(c, { object: 'chat.completion.chunk', service_tier: 'default', system_fingerprint: /^fp_/, obfuscation: /^[A-Za-z0-9_-]+$/ });
    t.ok('usage' in c, 'usage is present on every chunk');
  }
  const deltas = chunks.slice(0, -1).map((c) => (c['choices'] as Array<{ delta: Record<string, unknown> }>)[0]?.delta);
  t.same(deltas[0], { role: 'assistant', content: '', refusal: null }, 'the first delta carries only the role');
  t.ok(chunks.slice(0, -1).every((c) => c['usage'] === null));
  const calls = deltas.flatMap((d) => (d?.['tool_calls'] as Array<Record<string, unknown>> | undefined) ?? []);
  t.match(calls[0], { index: 0, id: /^call_/, type: 'function', function: { name: 'end_call', arguments: '' } }, 'id and name in the first tool delta only');
  const rest = calls.slice(1);
  t.ok(rest.length >= 6, `${rest.length} argument fragments`);
  t.ok(rest.every((c) => !('id' in c) && !('type' in c) && !('name' in (c['function'] as object))), 'later deltas carry only index and arguments');
  t.ok(rest.every((c) => ((c['function'] as { arguments: string }).arguments.length <= 6)), 'fragments are tiny');
  t.equal(rest.map((c) => (c['function'] as { arguments: string }).arguments).join(''), '{"reason":"caller is done"}');
  t.match(chunks.at(-2)?.['choices'], [{ delta: {}, finish_reason: 'tool_calls' }]);
  t.match(chunks.at(-1), { choices: [], usage: { completion_tokens: Number, prompt_tokens_details: {}, completion_tokens_details: {} } });

  const plain = await rawStream(fake.baseURL, { messages: [{ role: 'user', content: 'x' }], stream_options: { include_obfuscation: false } });
  t.ok((plain.slice(0, -1) as Array<Record<string, unknown>>).every((c) => !('obfuscation' in c)), 'include_obfuscation: false turns the padding off');
});

t.test('the adapter reads the service as it is: Azure filter chunks, one-character deltas, a usage chunk, Hebrew arguments', async (t) => {
  const { llm } = await withFake(t, {
    azureFilter: true,
    split: 'chars',
    replies: [{ text: 'שלום, להתראות.', toolCalls: [{ id: 'call_x', name: 'end_call', arguments: { reason: 'אמר להתראות' } }] }],
  });
  const chunks = await collect(llm.stream(user('ביי'), new AbortController().signal));
  t.equal(texts(chunks).join(''), 'שלום, להתראות.');
  t.same(chunks.at(-1), { type: 'tool_call', call: { id: 'call_x', name: 'end_call', arguments: { reason: 'אמר להתראות' } } });
});
