// A local stand-in for OpenAI's chat-completions endpoint (real SSE, scripted replies, fault injection) for tests.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { type ChunkEnvelope, azureFilterChunkJson, chunkJson, completionJson, errorJson, planDeltas, usageChunkJson } from './completion-chunks';
import type { FakeOpenAI, FakeOpenAIOptions, FakeOpenAIRequest, FakeReply } from './fake-openai-types';

const DEFAULT_REPLY: FakeReply = { text: 'Hello from the fake.' };

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const queue: FakeReply[] = [...(opts.replies ?? [])];
  const requests: FakeOpenAIRequest[] = [];
  const waiters: Array<{ index: number; resolve: (r: FakeOpenAIRequest) => void }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  /** Responses whose socket the fake destroyed on purpose (dropAfterTokens), so they do not count as client closes. */
  const dropped = new WeakSet<http.ServerResponse>();

  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  const record = (req: http.IncomingMessage, res: http.ServerResponse, raw: string): FakeOpenAIRequest => {
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    let settle!: () => void;
    const entry: FakeOpenAIRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: { ...req.headers },
      body,
      model: body?.['model'],
      messages: Array.isArray(body?.['messages']) ? (body['messages'] as unknown[]) : [],
      tools: Array.isArray(body?.['tools']) ? (body['tools'] as unknown[]) : undefined,
      stream: body?.['stream'] === true,
      clientClosedEarly: false,
      settled: new Promise<void>((resolve) => (settle = resolve)),
    };
    res.on('close', () => {
      // Why writableFinished: 'close' also fires after a normal end; only an unfinished answer means the client left.
      if (!res.writableFinished && !dropped.has(res)) entry.clientClosedEarly = true;
      settle();
    });
    requests.push(entry);
    for (const w of waiters.filter((x) => x.index === requests.length - 1)) w.resolve(entry);
    return entry;
  };

  const nextReply = async (entry: FakeOpenAIRequest): Promise<FakeReply> => {
    const queued = queue.shift();
    if (queued) return queued;
    if (opts.reply) return opts.reply(entry);
    return DEFAULT_REPLY;
  };

  const sendError = (res: http.ServerResponse, status: number, code?: string | null, message?: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_fake_${requests.length}` });
    res.end(errorJson(status, code, message));
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> => {
    const entry = record(req, res, raw);
    const requestNo = requests.length;
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) return sendError(res, 401);
    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/v1/chat/completions')) {
      return sendError(res, 404, 'unknown_url', `Unknown request URL: ${req.method} ${req.url}`);
    }
    if (entry.body === undefined) return sendError(res, 400, null, 'We could not parse the JSON body of your request.');

    const reply = await nextReply(entry);
    const status = reply.status ?? opts.status;
    const hang = reply.hang ?? opts.hang ?? false;
    const firstDelay = reply.firstTokenDelayMs ?? opts.firstTokenDelayMs ?? 0;
    const interDelay = reply.interTokenDelayMs ?? opts.interTokenDelayMs ?? 0;
    const dropAfter = reply.dropAfterTokens ?? opts.dropAfterTokens;
    const split = reply.split ?? opts.split ?? 'words';
    const model = typeof entry.model === 'string' ? entry.model : (opts.model ?? 'gpt-4o-mini');
    const id = `chatcmpl-fake${requestNo}`;
    const created = Math.floor(Date.now() / 1000);

    if (hang) return; // the socket stays open until the client gives up or close() runs
    if (status !== undefined && status >= 400) return sendError(res, status, reply.errorCode, reply.errorMessage);

    const text = reply.text ?? '';
    const toolCalls = reply.toolCalls ?? [];
    if (!entry.stream) {
      await sleep(firstDelay);
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completionJson(id, created, model, text, toolCalls, requestNo));
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const streamOptions = entry.body?.['stream_options'] as { include_usage?: boolean; include_obfuscation?: boolean } | undefined;
    const env: ChunkEnvelope = { id, created, model, obfuscation: streamOptions?.include_obfuscation !== false };
    const azure = reply.azureFilter ?? opts.azureFilter ?? false;
    await sleep(firstDelay);
    if (azure) res.write(`data: ${azureFilterChunkJson(env, 'first')}\n\n`);
    let tokens = 0;
    const deltas = planDeltas(text, toolCalls, split, requestNo);
    for (let i = 0; i < deltas.length; i++) {
      const planned = deltas[i] as (typeof deltas)[number];
      if (res.destroyed || closing) return;
      if (i > 1) await sleep(interDelay);
      if (res.destroyed || closing) return;
      if (planned.token) tokens++;
      const frame = `data: ${chunkJson(env, planned.delta, null)}\n\n`;
      if (dropAfter !== undefined && tokens >= dropAfter) {
        // Why wait for the write: http corks the socket until the next tick, so destroying at once would lose it.
        await new Promise<void>((resolve) => res.write(frame, () => resolve()));
        dropped.add(res);
        res.socket?.destroy();
        return;
      }
      res.write(frame);
    }
    if (res.destroyed) return;
    res.write(`data: ${chunkJson(env, {}, toolCalls.length ? 'tool_calls' : 'stop')}\n\n`);
    if (azure) res.write(`data: ${azureFilterChunkJson(env, 'last')}\n\n`);
    if (streamOptions?.include_usage) res.write(`data: ${usageChunkJson(env, tokens)}\n\n`);
    res.end('data: [DONE]\n\n');
  };

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(parts).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) sendError(res, 500, null, `fake failed: ${String(err)}`);
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    waitForRequest: (index) => {
      const have = requests[index];
      if (have) return Promise.resolve(have);
      return new Promise((resolve) => waiters.push({ index, resolve }));
    },
    close: async () => {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
