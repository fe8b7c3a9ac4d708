// The tools the agent's LLM may call, as OpenAI function definitions; the transfer number comes from config, never the model.

import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';

export type LlmToolName = 'end_call' | 'transfer_call';

export const LLM_TOOL_NAMES: readonly LlmToolName[] = ['end_call', 'transfer_call'];

const REASON = {
  type: 'object',
  properties: { reason: { type: 'string', description: 'A few words on why, for the call log.' } },
  required: [],
  additionalProperties: false,
} as const;

const DEFINITIONS: Record<LlmToolName, ChatCompletionFunctionTool> = {
  end_call: {
    type: 'function',
    function: {
      name: 'end_call',
      description:
        'Hang up the phone call. Use it after saying goodbye, when the caller asks to end the call or the conversation is clearly over.',
      parameters: REASON,
    },
  },
  transfer_call: {
    type: 'function',
    function: {
      name: 'transfer_call',
      description:
        'Transfer the caller to a human representative. Use it when the caller asks for a person or you cannot help. The number is configured; do not ask for one.',
      parameters: REASON,
    },
  },
};

/** The OpenAI `tools` array for the enabled tool names (unknown names are ignored, order kept, no duplicates). */
export function llmToolDefinitions(names: readonly string[]): ChatCompletionFunctionTool[] {
  const seen = new Set<string>();
  const out: ChatCompletionFunctionTool[] = [];
  for (const name of names) {
    if (seen.has(name) || !(LLM_TOOL_NAMES as readonly string[]).includes(name)) continue;
    seen.add(name);
    out.push(DEFINITIONS[name as LlmToolName]);
  }
  return out;
}
