// The shape of the editable agent script (assets/agent-script.json) that drives ScriptedLlmProvider.

/** A text in each language the agent speaks. */
export interface Bilingual {
  he: string;
  en: string;
}

/** A text that mentions transferring to a person, with the words to say instead when no TRANSFER_NUMBER is set. */
export interface SpokenText extends Bilingual {
  withoutTransfer?: Bilingual;
}

/** What the scripted agent may do after speaking. */
export type ScriptAction = 'end_call' | 'transfer_call';

export interface ScriptIntent {
  /** Unique, used in logs and as the tool call's `reason`. */
  id: string;
  /** How the fallback names this topic ("opening hours"); intents without one are not listed. */
  topic?: Bilingual;
  /** Words or phrases, matched as whole words; Hebrew ones also with a prefix letter (ו, ה, ב, ל, מ, ש, כ). */
  keywords: { he?: string[]; en?: string[] };
  /** Optional regular expressions (case-insensitive) tried on the caller's raw text. */
  patterns?: string[];
  reply: SpokenText;
  /** transfer_call is obeyed only with a TRANSFER_NUMBER; without one the agent says `transferUnavailable` instead. */
  action?: ScriptAction;
  /** Among matching intents the highest priority wins, then the best score; default 0. */
  priority?: number;
}

/** A DTMF menu entry: either points at an intent or carries its own reply. */
export type MenuOption = { intent: string } | { reply: SpokenText; action?: ScriptAction };

export interface AgentScript {
  version: 1;
  /** Language for turns with no letters to go by (a first DTMF press). */
  defaultLanguage: 'he' | 'en';
  /** Spoken when the conversation has no caller turn yet. */
  greeting: SpokenText;
  intents: ScriptIntent[];
  /** Keys are the digits in `[DTMF 1]` messages ("1", "0", "*", "#"). */
  menu: Record<string, MenuOption>;
  /** Reply to a key with no menu entry. */
  menuInvalid: Bilingual;
  /** Said when nothing matches; "{topics}" is replaced by the topics list. Must be honest: a scripted demo. */
  fallback: Bilingual;
  /** Said instead of a transfer when no TRANSFER_NUMBER is set; default: a plain "I cannot transfer you" line. */
  transferUnavailable?: Bilingual;
}
