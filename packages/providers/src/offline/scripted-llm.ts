// An LLM stand-in for running with no cloud keys: answers from the editable agent script, streamed word by word.

import type { ChatMessage, LlmChunk, LlmProvider, ToolCall } from '../contracts';
import { SCRIPTED_LLM, loadAgentScript, parseAgentScript } from './agent-script-loader';
import type { AgentScript, Bilingual, ScriptAction } from './agent-script-types';
import { detectLanguage } from './hebrew-text';
import { matchIntent } from './intent-matcher';

export interface ScriptedLlmOptions {
  /** A script file; default assets/agent-script.json. Read and validated in the constructor. */
  scriptPath?: string;
  /** Or the script itself (object or JSON text), e.g. in tests. */
  script?: AgentScript | string;
  /** Pause between streamed words; default 0. */
  wordDelayMs?: number;
}

/** The media worker reports key presses as user messages like "[DTMF 1]". */
const DTMF = /^\s*\[DTMF\s*([0-9*#]+)\]\s*$/i;

/** What the script decided for one turn. */
export interface ScriptedReply {
  text: string;
  language: 'he' | 'en';
  /** Intent id, "greeting", "menu:<key>", "menu-invalid" or "fallback". */
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
  private calls = 0;

  constructor(opts: ScriptedLlmOptions = {}) {
    if (typeof opts.script === 'string') this.script = parseAgentScript(opts.script);
    else if (opts.script) this.script = parseAgentScript(JSON.stringify(opts.script));
    else this.script = loadAgentScript(opts.scriptPath);
    this.wordDelayMs = opts.wordDelayMs ?? 0;
  }

  /** Decides the reply to the latest caller turn without streaming it (also handy for tests and logs). */
  decide(messages: readonly ChatMessage[]): ScriptedReply {
    const s = this.script;
    const users = messages.filter((m) => m.role === 'user');
    const last = users.at(-1);
    const spoken = users.filter((m) => !DTMF.test(m.content)).at(-1);
    const language = spoken ? detectLanguage(spoken.content, s.defaultLanguage) : s.defaultLanguage;
    const pick = (b: Bilingual, lang: 'he' | 'en', source: string, action?: ScriptAction): ScriptedReply => ({
      text: b[lang],
      language: lang,
      source,
      ...(action ? { action } : {}),
    });

    if (!last) return pick(s.greeting, language, 'greeting');
    const dtmf = DTMF.exec(last.content);
    if (dtmf) {
      const keys = dtmf[1] as string;
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
    const topics = s.intents.flatMap((i) => (i.topic ? [i.topic[language]] : [])).join(', ');
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
