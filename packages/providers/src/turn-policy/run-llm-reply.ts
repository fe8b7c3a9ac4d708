// One turn's LLM reply under the turn policy, for streaming and RECORD mode alike: stream, judge tool calls, re-ask once.
import { EVENTS, type Logger } from '@tva/logging';
import type { CallAction } from '@tva/security';
import { abortable } from '../abortable';
import type { ChatMessage, LlmProvider } from '../contracts';
import type { CallTools } from './call-tools';
import { type LlmAttempt, attemptMessages, decideReply } from './reply-policy';
import { TURN_ERRORS, type TurnErrorCode } from './turn-errors';

export interface LlmReplyOptions {
  llm: LlmProvider;
  /** The conversation up to and including the caller's turn. */
  messages: readonly ChatMessage[];
  tools: CallTools;
  signal: AbortSignal;
  /** A per-call logger. */
  log: Logger;
  /** Every text delta as it arrives (the streaming path speaks each sentence as it completes). */
  onText?(text: string): void;
  /** An attempt was answered with tool errors and the model is about to be asked again. */
  onReask?(answered: AnsweredAttempt): void;
}

export interface AnsweredAttempt {
  attempt: LlmAttempt;
  /** The answers to the attempt's tool calls, in order. */
  toolResults: ChatMessage[];
}

export interface LlmReply {
  /** Every answer the model gave this turn, in order (all their words were for the caller). */
  attempts: AnsweredAttempt[];
  action: CallAction | undefined;
  /** Set when the caller must hear the apology instead of a reply. */
  failure: TurnErrorCode | undefined;
  /** The signal fired: the last attempt is partial and was not judged. */
  aborted: boolean;
}

/** The words of every attempt, as the caller heard them in order. */
export function spokenText(reply: LlmReply): string {
  return reply.attempts.map((a) => a.attempt.text.trim()).filter(Boolean).join(' ');
}

/** Provider failures throw (ProviderError); an abort returns with `aborted`. */
export async function runLlmReply(o: LlmReplyOptions): Promise<LlmReply> {
  const attempts: AnsweredAttempt[] = [];
  let request: ChatMessage[] = [...o.messages];
  for (let reasks = 0; ; reasks++) {
    const attempt: LlmAttempt = { text: '', toolCalls: [] };
    try {
      for await (const chunk of abortable(o.llm.stream(request, o.signal), o.signal)) {
        if (chunk.type === 'tool_call') attempt.toolCalls.push(chunk.call);
        else {
          attempt.text += chunk.text;
          o.onText?.(chunk.text);
        }
      }
    } catch (err) {
      if (!o.signal.aborted) throw err;
    }
    if (o.signal.aborted) {
      attempts.push({ attempt, toolResults: [] });
      return { attempts, action: undefined, failure: undefined, aborted: true };
    }
    const decision = decideReply(attempt, o.tools, { reasks, spoken: attempts.some((a) => a.attempt.text.trim() !== '') });
    const answered = { attempt, toolResults: decision.toolResults };
    attempts.push(answered);
    for (const v of decision.verdicts) {
      if (v.ok) o.log.info({ event: EVENTS.TOOL_CALL, tool: v.call.name, action: v.action.kind }, `the model called ${v.call.name}`);
      else o.log.warn({ event: EVENTS.TOOL_CALL, code: v.code, tool: v.call.name, detail: v.detail, reask: decision.next === 're-ask' }, `${TURN_ERRORS[v.code].message}; answered with a tool error`);
    }
    if (decision.next === 're-ask') {
      request = [...request, ...attemptMessages(attempt, decision.toolResults)];
      o.onReask?.(answered);
      continue;
    }
    if (decision.code) o.log.warn({ event: EVENTS.EMPTY_REPLY, code: decision.code, attempts: attempts.length }, TURN_ERRORS[decision.code].message);
    return { attempts, action: decision.action, failure: decision.code, aborted: false };
  }
}
