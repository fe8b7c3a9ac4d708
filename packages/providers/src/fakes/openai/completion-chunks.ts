// Builds the JSON bodies the fake sends: chat.completion.chunk deltas, whole chat.completion objects, error bodies.

import type { FakeSplit, FakeToolCall } from './fake-openai-types';

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: null;
  tool_calls?: Array<{
    index: number;
    id?: string;
    type?: 'function';
    function: { name?: string; arguments: string };
  }>;
}

/** One streamed delta plus whether it carries a "token" (content or argument text) for drop counting. */
export interface PlannedDelta {
  delta: ChunkDelta;
  token: boolean;
}

export function splitText(text: string, split: FakeSplit): string[] {
  if (text.length === 0) return [];
  if (typeof split === 'function') return split(text).filter((p) => p.length > 0);
  if (split === 'whole') return [text];
  if (split === 'chars') return Array.from(text);
  return text.match(/\s*\S+\s*/gu) ?? [text];
}

function argumentText(args: FakeToolCall['arguments']): string {
  if (args === undefined) return '{}';
  return typeof args === 'string' ? args : JSON.stringify(args);
}

/**
 * Argument text cut as the service cuts it: tiny token-sized fragments, JSON punctuation apart from words
 * (e.g. `{"`, `reas`, `on`, `":"`, `done`, `"}`). why: checked against recorded streams in openai-node's tests.
 */
export function argumentPieces(args: string): string[] {
  return args.match(/[{}[\]",:\s]+|[^{}[\]",:\s]{1,4}/gu) ?? [];
}

export function toolCallId(requestNo: number, index: number): string {
  return `call_fake${requestNo}x${index}`;
}

/**
 * The ordered deltas of one reply, shaped like today's service: a role-only first delta (content "" before words,
 * null before a tool call), text pieces, then per tool call its id, type and name with empty arguments, then the
 * arguments in tiny fragments carrying only the index.
 */
export function planDeltas(text: string, toolCalls: FakeToolCall[], split: FakeSplit, requestNo: number): PlannedDelta[] {
  const pieces = splitText(text, split);
  const out: PlannedDelta[] = [{ delta: { role: 'assistant', content: pieces.length > 0 || toolCalls.length === 0 ? '' : null, refusal: null }, token: false }];
  for (const piece of pieces) out.push({ delta: { content: piece }, token: true });
  toolCalls.forEach((call, index) => {
    out.push({
      delta: {
        tool_calls: [
          { index, id: call.id ?? toolCallId(requestNo, index), type: 'function', function: { name: call.name, arguments: '' } },
        ],
      },
      token: false,
    });
    for (const piece of argumentPieces(argumentText(call.arguments))) {
      out.push({ delta: { tool_calls: [{ index, function: { arguments: piece } }] }, token: true });
    }
  });
  return out;
}

/** What every chunk of one response shares. */
export interface ChunkEnvelope {
  id: string;
  created: number;
  model: string;
  /** Pad each chunk with a random `obfuscation` string, as the service does unless `stream_options.include_obfuscation` is false. */
  obfuscation: boolean;
}

const FINGERPRINT = 'fp_fake0c0ffee';

/** Random padding of a random length, like the service's side-channel mitigation. */
function padding(): string {
  const n = 1 + Math.floor(Math.random() * 14);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(Math.random() * 256))).toString('base64url').slice(0, n);
}

function envelope(e: ChunkEnvelope, choices: unknown[], usage: unknown): string {
  return JSON.stringify({
    id: e.id,
    object: 'chat.completion.chunk',
    created: e.created,
    model: e.model,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices,
    usage,
    ...(e.obfuscation ? { obfuscation: padding() } : {}),
  });
}

/** One streamed chunk: every one carries service_tier, system_fingerprint and `usage: null`. */
export function chunkJson(e: ChunkEnvelope, delta: ChunkDelta, finishReason: string | null): string {
  return envelope(e, [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], null);
}

/** The extra last chunk sent when the request asked for `stream_options.include_usage`: no choices, just usage. */
export function usageChunkJson(e: ChunkEnvelope, completionTokens: number): string {
  return envelope(e, [], {
    prompt_tokens: 1,
    completion_tokens: completionTokens,
    total_tokens: completionTokens + 1,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  });
}

/** Azure OpenAI's extras: a first chunk with no choices but prompt filter results, and a last one whose choice has no delta. */
export function azureFilterChunkJson(e: ChunkEnvelope, where: 'first' | 'last'): string {
  if (where === 'first') {
    return JSON.stringify({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] });
  }
  return JSON.stringify({ id: e.id, object: 'chat.completion.chunk', created: e.created, model: e.model, choices: [{ index: 0, finish_reason: null, content_filter_results: {} }] });
}

export function completionJson(
  id: string,
  created: number,
  model: string,
  text: string,
  toolCalls: FakeToolCall[],
  requestNo: number,
): string {
  const calls = toolCalls.map((call, index) => ({
    id: call.id ?? toolCallId(requestNo, index),
    type: 'function',
    function: { name: call.name, arguments: argumentText(call.arguments) },
  }));
  return JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text.length > 0 ? text : null, refusal: null, annotations: [], ...(calls.length ? { tool_calls: calls } : {}) },
        logprobs: null,
        finish_reason: calls.length ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

const ERROR_DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Forbidden.' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded.' },
};

export function errorJson(status: number, code?: string | null, message?: string): string {
  const base = ERROR_DEFAULTS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, message: `HTTP ${status}` };
  return JSON.stringify({
    error: { message: message ?? base.message, type: base.type, param: null, code: code === undefined ? base.code : code },
  });
}
