// Which call tools the model is offered, and whether a tool call it made becomes an action on the call.
import { E164 } from '@tva/config';
import type { CallAction } from '@tva/security';
import type { ToolCall } from '../contracts';
import type { LlmToolName } from '../openai/llm-tools';
import type { TurnErrorCode } from './turn-errors';

/** What the agent may do to the call: hang up always; transfer only when there is a valid number to dial. */
export interface CallTools {
  /** A valid E.164 number, or undefined: then transfer_call is neither offered nor obeyed. */
  readonly transferTo: string | undefined;
}

/** why: config already rejects a bad TRANSFER_NUMBER at load; checking again here keeps any other caller from dialing junk. */
export function callTools(transferNumber: string | undefined): CallTools {
  return { transferTo: transferNumber !== undefined && E164.test(transferNumber) ? transferNumber : undefined };
}

/** The tool names to offer the model. */
export function offeredToolNames(tools: CallTools): LlmToolName[] {
  return tools.transferTo ? ['end_call', 'transfer_call'] : ['end_call'];
}

export type ToolVerdict =
  | { ok: true; call: ToolCall; action: CallAction }
  | { ok: false; call: ToolCall; code: Extract<TurnErrorCode, 'TURN_ERR_UNKNOWN_TOOL' | 'TURN_ERR_BAD_TOOL_ARGS'>; detail: string };

/** Both tools take only an optional `reason` (a string, for the log); the number is never the model's to choose. */
function argumentProblem(args: Record<string, unknown>): string | undefined {
  if ('_raw' in args) return 'arguments are not a JSON object';
  const extra = Object.keys(args).filter((k) => k !== 'reason');
  if (extra.length > 0) return `unexpected argument(s): ${extra.join(', ')}`;
  if (args['reason'] !== undefined && typeof args['reason'] !== 'string') return '"reason" must be a string';
  return undefined;
}

export function judgeToolCall(call: ToolCall, tools: CallTools): ToolVerdict {
  const offered: readonly string[] = offeredToolNames(tools);
  if (!offered.includes(call.name)) {
    return { ok: false, call, code: 'TURN_ERR_UNKNOWN_TOOL', detail: `no tool named "${call.name}" is offered (offered: ${offered.join(', ')})` };
  }
  const problem = argumentProblem(call.arguments);
  if (problem) return { ok: false, call, code: 'TURN_ERR_BAD_TOOL_ARGS', detail: `${call.name}: ${problem}` };
  if (call.name === 'transfer_call' && tools.transferTo) return { ok: true, call, action: { kind: 'transfer', to: tools.transferTo } };
  return { ok: true, call, action: { kind: 'hangup' } };
}

/** The tool result the model reads for a verdict. */
export function toolResultText(verdict: ToolVerdict, accepted: boolean): string {
  if (!verdict.ok) return `error ${verdict.code}: ${verdict.detail}. Answer the caller in words.`;
  return accepted ? 'ok' : 'skipped: the call is already ending';
}
