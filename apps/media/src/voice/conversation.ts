// The voice agent's history of one call: what the caller said, what the agent said, and what of it the caller heard.
import type { AnsweredAttempt, ChatMessage } from '@tva/providers';
import type { ConversationTurn } from '../agents/agent';

/** An assistant message that can be cut short: `content` stays the whole reply, `heard` is what played before the cut. */
export interface AssistantEntry extends ChatMessage {
  role: 'assistant';
  interrupted?: boolean;
  heard?: string;
}

/**
 * why the heard text, not the whole reply, goes to the LLM and to RECORD mode: the model must not believe the caller
 * heard words that were cut off (it would build on them); the whole reply stays here for the log and for records.
 */
export class Conversation {
  private readonly entries: ChatMessage[] = [];

  user(text: string): void {
    this.entries.push({ role: 'user', content: text });
  }

  /** An assistant message, placed now (so a later caller turn comes after it) and filled in as the reply streams. */
  assistant(text = ''): AssistantEntry {
    const entry: AssistantEntry = { role: 'assistant', content: text };
    this.entries.push(entry);
    return entry;
  }

  /** The caller barged in: keep the reply, flag it, and remember what was heard. */
  interrupt(entry: AssistantEntry, heard: string): void {
    entry.interrupted = true;
    entry.heard = heard;
  }

  /** Files one answer of the model in `entry`: its words, its tool calls (unless aborted: they never ran), and right after it the answers to them. */
  answer(entry: AssistantEntry, answered: AnsweredAttempt, aborted = false): void {
    entry.content = answered.attempt.text;
    if (aborted || answered.attempt.toolCalls.length === 0) return;
    entry.toolCalls = answered.attempt.toolCalls;
    const at = this.entries.indexOf(entry);
    if (at >= 0) this.entries.splice(at + 1, 0, ...answered.toolResults);
  }

  /** What the LLM reads, up to (not including) `until`: interrupted replies as heard (dropped when nothing was), the rest as said. */
  forLlm(until?: ChatMessage): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const m of this.entries) {
      if (m === until) break;
      const a = m as AssistantEntry;
      if (!a.interrupted) out.push(m);
      else if (a.heard || a.toolCalls) out.push({ role: 'assistant', content: a.heard ?? '', ...(a.toolCalls ? { toolCalls: a.toolCalls } : {}) });
    }
    return out;
  }

  /** The hand-off to RECORD mode: the words only, as the caller heard them. */
  turns(): ConversationTurn[] {
    const out: ConversationTurn[] = [];
    for (const m of this.entries) {
      if (m.role !== 'user' && m.role !== 'assistant') continue;
      const a = m as AssistantEntry;
      const content = a.interrupted ? (a.heard ?? '') : m.content;
      if (content.trim() === '') continue;
      out.push({ role: m.role, content, ...(a.interrupted ? { interrupted: true } : {}) });
    }
    return out;
  }
}
