// Maps the provider-neutral chat history to OpenAI chat-completions messages.

import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';

import type { ChatMessage } from '../contracts';

/**
 * System prompt first, then the history in order. Two repairs keep the API from answering 400:
 * an assistant tool call with no matching tool result gets a placeholder result (the media worker
 * may not record one, e.g. after a barge-in), and a tool result that answers no earlier call is dropped.
 */
export function toOpenAiMessages(history: readonly ChatMessage[], systemPrompt?: string): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (systemPrompt !== undefined && systemPrompt.trim().length > 0) out.push({ role: 'system', content: systemPrompt });

  let pending: string[] = []; // tool call ids of the latest assistant message still waiting for results
  const closePending = (): void => {
    for (const id of pending) out.push({ role: 'tool', tool_call_id: id, content: 'done' });
    pending = [];
  };

  for (const msg of history) {
    if (msg.role === 'tool') {
      const id = msg.toolCallId;
      if (id === undefined || !pending.includes(id)) continue;
      pending = pending.filter((p) => p !== id);
      out.push({ role: 'tool', tool_call_id: id, content: msg.content });
      continue;
    }
    closePending();
    if (msg.role === 'system') out.push({ role: 'system', content: msg.content });
    else if (msg.role === 'user') out.push({ role: 'user', content: msg.content });
    else if (msg.toolCalls && msg.toolCalls.length > 0) {
      out.push({
        role: 'assistant',
        content: msg.content.length > 0 ? msg.content : null,
        tool_calls: msg.toolCalls.map((c) => ({
          id: c.id,
          type: 'function' as const,
          function: { name: c.name, arguments: JSON.stringify(c.arguments ?? {}) },
        })),
      });
      pending = msg.toolCalls.map((c) => c.id);
    } else {
      out.push({ role: 'assistant', content: msg.content });
    }
  }
  closePending();
  return out;
}
