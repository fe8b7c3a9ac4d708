// An LLM stand-in for running with no cloud keys: answers from the editable agent script, streamed word by word.

import type { ChatMessage, LlmChunk, LlmProvider, ToolCall } from '../contracts';
import { UNRECOGNIZED_SPEECH_TURN, dtmfKeysOf } from '../turn-policy/dtmf-turn';
import { SCRIPTED_LLM, loadAgentScript, parseAgentScript } from './agent-script-loader';
import type { AgentScript, Bilingual, ScriptAction, SpokenText } from './agent-script-types';
import { detectLanguage } from './hebrew-text';
import { matchIntent } from './intent-matcher';

export interface ScriptedLlmOptions {
  /** A script file; default assets/agent-script.json. Read and validated in the constructor. */
  scriptPath?: string;
  /** Or the script itself (object or JSON text), e.g. in tests. */
  script?: AgentScript | string;
  /** Pause between streamed words; default 0. */
  wordDelayMs?: number;
  /** A transfer number is configured: transfer_call may be offered. Default false: the agent says it cannot transfer. */
  transfer?: boolean;
}

const TRANSFER_UNAVAILABLE: Bilingual = {
  he: 'מצטערת, בקו הזה אי אפשר להעביר לנציג. אפשר לשאול אותי על שעות הפתיחה, הכתובת או דרכי ההתקשרות.',
  en: 'Sorry, I cannot transfer you to a person on this line. You can ask me about our opening hours, address or contact details.',
};

/** The name of the tool call the conversation's last message answers, when it ends with a tool result. */
function refusedTool(messages: readonly ChatMessage[]): string | undefined {
  const answer = messages.at(-1);
  if (answer?.role !== 'tool') return undefined;
  for (let i = messages.length - 2; i >= 0; i--) {
    const call = messages[i]?.toolCalls?.find((c) => c.id === answer.toolCallId);
    if (call) return call.name;
  }
  return undefined;
}

/** A caller turn that carries no words to take the language from: a key press, or speech nothing recognized. */
const wordless = (text: string): boolean => dtmfKeysOf(text) !== undefined || text === UNRECOGNIZED_SPEECH_TURN;

/** What the script decided for one turn. */
export interface ScriptedReply {
  text: string;
  language: 'he' | 'en';
  /** Intent id, "greeting", "menu:<key>", "menu-invalid", "transfer-refused" or "fallback". */
  source: string;
  action?: ScriptAction;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export class ScriptedLlmProvider implements LlmProvider {
  readonly name = SCRIPTED_LLM;
  readonly script: AgentScript;
  private readonly wordDelayMs: number;
  private readonly transfer: boolean;
  private calls = 0;

  constructor(opts: ScriptedLlmOptions = {}) {
    if (typeof opts.script === 'string') this.script = parseAgentScript(opts.script);
    else if (opts.script) this.script = parseAgentScript(JSON.stringify(opts.script));
    else this.script = loadAgentScript(opts.scriptPath);
    this.wordDelayMs = opts.wordDelayMs ?? 0;
    this.transfer = opts.transfer ?? false;
  }

  /** The greeting in `language`, without the transfer option when there is none. */
  greeting(language: 'he' | 'en' = this.script.defaultLanguage): string {
    return this.spoken(this.script.greeting, language);
  }

  private spoken(text: SpokenText, language: 'he' | 'en'): string {
    return (this.transfer ? text : (text.withoutTransfer ?? text))[language];
  }

  /** Decides the reply to the latest caller turn without streaming it (also handy for tests and logs). */
  decide(messages: readonly ChatMessage[]): ScriptedReply {
    const s = this.script;
    const users = messages.filter((m) => m.role === 'user');
    const last = users.at(-1);
    const spoken = users.filter((m) => !wordless(m.content)).at(-1);
    const language = spoken ? detectLanguage(spoken.content, s.defaultLanguage) : s.defaultLanguage;
    const pick = (b: SpokenText, lang: 'he' | 'en', source: string, action?: ScriptAction): ScriptedReply => {
      // why: promising a transfer that cannot happen is worse than saying plainly that it cannot.
      if (action === 'transfer_call' && !this.transfer) return { text: (s.transferUnavailable ?? TRANSFER_UNAVAILABLE)[lang], language: lang, source };
      return { text: this.spoken(b, lang), language: lang, source, ...(action ? { action } : {}) };
    };

    // why: the script's tools end the call, so a tool result to read means its call was refused (the turn policy re-asks).
    if (refusedTool(messages) === 'transfer_call') return { text: (s.transferUnavailable ?? TRANSFER_UNAVAILABLE)[language], language, source: 'transfer-refused' };
    if (!last) return pick(s.greeting, language, 'greeting');
    const keys = dtmfKeysOf(last.content);
    if (keys !== undefined) {
      const key = s.menu[keys] ? keys : keys.slice(-1);
      const option = s.menu[key];
      if (!option) return pick(s.menuInvalid, language, 'menu-invalid');
      if ('intent' in option) {
        const intent = s.intents.find((i) => i.id === option.intent);
        if (intent) return pick(intent.reply, language, `menu:${key}`, intent.action);
        return pick(s.menuInvalid, language, 'menu-invalid');
      }
      return pick(option.reply, language, `menu:${key}`, option.action);
    }
    const match = matchIntent(last.content, s.intents);
    if (match) return pick(match.intent.reply, language, match.intent.id, match.intent.action);
    const topics = s.intents.flatMap((i) => (i.topic && (this.transfer || i.action !== 'transfer_call') ? [i.topic[language]] : [])).join(', ');
    return { text: s.fallback[language].replace('{topics}', topics), language, source: 'fallback' };
  }

  async *stream(messages: readonly ChatMessage[], signal: AbortSignal): AsyncGenerator<LlmChunk> {
    if (signal.aborted) return;
    const reply = this.decide(messages);
    const words = reply.text.match(/\s*\S+\s*/gu) ?? [];
    for (let i = 0; i < words.length; i++) {
      if (i > 0 && this.wordDelayMs > 0) await sleep(this.wordDelayMs, signal);
      if (signal.aborted) return;
      yield { type: 'text', text: words[i] as string };
    }
    if (signal.aborted || !reply.action) return;
    const call: ToolCall = { id: `scripted_${++this.calls}`, name: reply.action, arguments: { reason: reply.source } };
    yield { type: 'tool_call', call };
  }
}
