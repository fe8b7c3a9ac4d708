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

/** Arguments are streamed in pieces of about this many characters, as the real service does. */
const ARGUMENT_PIECE = 6;

export function toolCallId(requestNo: number, index: number): string {
  return `call_fake${requestNo}x${index}`;
}

/** The ordered deltas of one reply: role first, then text pieces, then each tool call (id+name, then arguments). */
export function planDeltas(text: string, toolCalls: FakeToolCall[], split: FakeSplit, requestNo: number): PlannedDelta[] {
  const out: PlannedDelta[] = [{ delta: { role: 'assistant', content: '', refusal: null }, token: false }];
  for (const piece of splitText(text, split)) out.push({ delta: { content: piece }, token: true });
  toolCalls.forEach((call, index) => {
    out.push({
      delta: {
        tool_calls: [
          { index, id: call.id ?? toolCallId(requestNo, index), type: 'function', function: { name: call.name, arguments: '' } },
        ],
      },
      token: false,
    });
    const args = argumentText(call.arguments);
    for (let at = 0; at < args.length; at += ARGUMENT_PIECE) {
      out.push({ delta: { tool_calls: [{ index, function: { arguments: args.slice(at, at + ARGUMENT_PIECE) } }] }, token: true });
    }
  });
  return out;
}

export function chunkJson(id: string, created: number, model: string, delta: ChunkDelta, finishReason: string | null): string {
  return JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
}

/** The extra last chunk sent when the request asked for `stream_options.include_usage`: no choices, just usage. */
export function usageChunkJson(id: string, created: number, model: string, completionTokens: number): string {
  return JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [],
    usage: { prompt_tokens: 1, completion_tokens: completionTokens, total_tokens: completionTokens + 1 },
  });
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
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text.length > 0 ? text : null, refusal: null, ...(calls.length ? { tool_calls: calls } : {}) },
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
