// LlmProvider over OpenAI-compatible streaming chat completions: text deltas as they come, tool calls once complete.

import type * as OpenAiModule from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';

import { ProviderError } from '../contracts';
import type { ChatMessage, LlmChunk, LlmProvider } from '../contracts';
import { toOpenAiMessages } from './chat-message-mapping';
import { LLM_TOOL_NAMES, llmToolDefinitions, type LlmToolName } from './llm-tools';
import { OPENAI_LLM, mapOpenAiError } from './openai-error-mapping';
import { ToolCallAssembler } from './tool-call-assembler';

export interface OpenAiLlmOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint (Azure OpenAI, vLLM, Ollama, llama.cpp); default the SDK's. */
  baseURL?: string;
  /** Default "gpt-4o-mini". */
  model?: string;
  /** Sent first, before the history's own messages. */
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
  /** Deadline for the first text or tool-call delta, from the request start. Default 10 000 ms. */
  timeoutMs?: number;
  /** Longest silence between two stream chunks once the answer has begun. Default 10 000 ms. */
  idleTimeoutMs?: number;
  /** SDK-level retries. Default 0: the media worker apologizes and retries on its own terms. */
  maxRetries?: number;
  /** Tools the model may call. Default ["end_call"]. */
  tools?: readonly LlmToolName[];
}

let sdkModule: typeof OpenAiModule | undefined;

/** Loads the SDK on first use; the media worker must start without paying for it. */
function loadSdk(): typeof OpenAiModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sdkModule ??= require('openai') as typeof OpenAiModule;
  return sdkModule;
}

export class OpenAiLlmProvider implements LlmProvider {
  readonly name = OPENAI_LLM;
  readonly model: string;
  private readonly opts: OpenAiLlmOptions;
  private readonly tools: LlmToolName[];
  private client: OpenAiModule.OpenAI | undefined;

  constructor(opts: OpenAiLlmOptions) {
    if (!opts.apiKey) throw new ProviderError(OPENAI_LLM, 'PROVIDER_UNAVAILABLE', 'OpenAI LLM needs an API key');
    const unknown = (opts.tools ?? []).filter((t) => !LLM_TOOL_NAMES.includes(t));
    if (unknown.length > 0) {
      throw new ProviderError(OPENAI_LLM, 'PROVIDER_UNAVAILABLE', `unknown LLM tools: ${unknown.join(', ')} (known: ${LLM_TOOL_NAMES.join(', ')})`);
    }
    this.opts = opts;
    this.model = opts.model ?? 'gpt-4o-mini';
    this.tools = [...(opts.tools ?? ['end_call'])];
  }

  private getClient(): OpenAiModule.OpenAI {
    if (!this.client) {
      const { OpenAI } = loadSdk();
      this.client = new OpenAI({
        apiKey: this.opts.apiKey,
        ...(this.opts.baseURL !== undefined ? { baseURL: this.opts.baseURL } : {}),
        maxRetries: this.opts.maxRetries ?? 0,
      });
    }
    return this.client;
  }

  /**
   * Streams the reply. Aborting `signal` (barge-in, hang-up) just ends the iteration, never throws.
   * Failures throw ProviderError: PROVIDER_AUTH, PROVIDER_RATE_LIMIT, PROVIDER_CONNECTION (5xx, dropped
   * socket, stream cut short), PROVIDER_TIMEOUT (first-token or idle deadline), PROVIDER_BAD_RESPONSE.
   */
  async *stream(messages: readonly ChatMessage[], signal: AbortSignal): AsyncGenerator<LlmChunk> {
    if (signal.aborted) return;
    const client = this.getClient();
    const sdk = loadSdk();
    const body: ChatCompletionCreateParamsStreaming = {
      model: this.model,
      messages: toOpenAiMessages(messages, this.opts.systemPrompt),
      stream: true,
      ...(this.opts.temperature !== undefined ? { temperature: this.opts.temperature } : {}),
      ...(this.opts.maxTokens !== undefined ? { max_tokens: this.opts.maxTokens } : {}),
      ...(this.tools.length > 0 ? { tools: llmToolDefinitions(this.tools) } : {}),
    };

    const local = new AbortController();
    const onAbort = (): void => local.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let timedOut: 'first token' | 'idle' | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, kind: 'first token' | 'idle'): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = kind;
        local.abort();
      }, ms);
    };
    const firstMs = this.opts.timeoutMs ?? 10_000;
    const idleMs = this.opts.idleTimeoutMs ?? 10_000;
    const timeoutError = (): ProviderError =>
      new ProviderError(OPENAI_LLM, 'PROVIDER_TIMEOUT', `no ${timedOut} from the LLM within ${timedOut === 'idle' ? idleMs : firstMs} ms`);

    arm(firstMs, 'first token');
    let finished = false;
    try {
      let stream: AsyncIterable<ChatCompletionChunk>;
      try {
        stream = await client.chat.completions.create(body, { signal: local.signal, timeout: firstMs + idleMs });
      } catch (err) {
        if (signal.aborted) return;
        if (timedOut) throw timeoutError();
        throw mapOpenAiError(sdk, err);
      }

      const tools = new ToolCallAssembler();
      let started = false;
      try {
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          if (!choice) continue;
          const text = choice.delta?.content;
          const hasTools = (choice.delta?.tool_calls?.length ?? 0) > 0;
          if (!started && (text || hasTools)) started = true;
          tools.push(choice.delta?.tool_calls);
          if (choice.finish_reason) finished = true;
          // Why no timer while yielding: a slow consumer (TTS back-pressure) is not a stalled server.
          if (started) clearTimeout(timer);
          if (text) yield { type: 'text', text };
          if (finished) for (const call of tools.take()) yield { type: 'tool_call', call };
          if (started) arm(idleMs, 'idle');
        }
      } catch (err) {
        if (signal.aborted || finished) return; // after finish_reason the answer is whole; a late error is moot
        if (timedOut) throw timeoutError();
        throw mapOpenAiError(sdk, err);
      }
      if (signal.aborted || finished) return;
      if (timedOut) throw timeoutError();
      // Why: a connection closed cleanly without finish_reason means the answer was cut short.
      throw new ProviderError(OPENAI_LLM, 'PROVIDER_CONNECTION', 'the LLM stream ended before the answer was finished');
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (!finished) local.abort(); // the consumer stopped early: close the HTTP stream too
    }
  }
}
