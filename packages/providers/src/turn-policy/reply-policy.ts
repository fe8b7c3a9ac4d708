// The rule that ends every turn with the caller hearing something: act, speak, re-ask once, or apologize. Pure.
import type { CallAction } from '@tva/security';
import type { ChatMessage, ToolCall } from '../contracts';
import { type CallTools, type ToolVerdict, judgeToolCall, toolResultText } from './call-tools';
import type { TurnErrorCode } from './turn-errors';

/** A refused tool call is answered to the model and the model asked again at most this many times in one turn. */
export const MAX_REASKS = 1;

/** What one LLM answer held. */
export interface LlmAttempt {
  text: string;
  toolCalls: ToolCall[];
}

export interface ReplyDecision {
  /** done: the caller heard words or the action runs; re-ask: ask the model again with `toolResults`; apologize: play the apology. */
  next: 'done' | 're-ask' | 'apologize';
  /** The first valid call action; it runs after the words have played. */
  action: CallAction | undefined;
  /** Set when next is 'apologize'. */
  code: TurnErrorCode | undefined;
  verdicts: ToolVerdict[];
  /** One tool message per call, in order, answering it (an error for refused calls). */
  toolResults: ChatMessage[];
}

export interface ReplySoFar {
  /** How many times this turn already re-asked the model. */
  reasks: number;
  /** An earlier attempt of this turn already gave the caller words. */
  spoken: boolean;
}

/**
 * A valid action ends the turn (after the words). A refused tool call is answered with an error and the model is asked
 * again, at most MAX_REASKS times (why even after words: "let me transfer you" must be corrected, not left hanging).
 * Otherwise the turn is done if the caller heard words, and ends in the apology if they heard nothing.
 */
export function decideReply(attempt: LlmAttempt, tools: CallTools, so: ReplySoFar): ReplyDecision {
  const verdicts = attempt.toolCalls.map((call) => judgeToolCall(call, tools));
  const first = verdicts.find((v): v is Extract<ToolVerdict, { ok: true }> => v.ok);
  const toolResults: ChatMessage[] = verdicts.map((v) => ({ role: 'tool', toolCallId: v.call.id, content: toolResultText(v, v === first) }));
  const base = { action: first?.action, verdicts, toolResults };
  if (first) return { ...base, next: 'done', code: undefined };
  if (verdicts.length > 0 && so.reasks < MAX_REASKS) return { ...base, next: 're-ask', code: undefined };
  if (so.spoken || attempt.text.trim() !== '') return { ...base, next: 'done', code: undefined };
  return { ...base, next: 'apologize', code: 'TURN_ERR_EMPTY_REPLY' };
}

/** The history entries of one attempt: the assistant's words and calls, then the answers to its calls. */
export function attemptMessages(attempt: LlmAttempt, toolResults: readonly ChatMessage[]): ChatMessage[] {
  const assistant: ChatMessage = { role: 'assistant', content: attempt.text, ...(attempt.toolCalls.length > 0 ? { toolCalls: attempt.toolCalls } : {}) };
  return [assistant, ...toolResults];
}
