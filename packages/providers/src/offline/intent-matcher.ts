// Picks the agent-script intent a caller's words match best: whole-word keywords (Hebrew prefixes allowed) and regexes.

import type { ScriptIntent } from './agent-script-types';
import { stripNiqqud } from './hebrew-text';

/** Hebrew writes these particles glued to the next word: ו (and), ה (the), ב (in), ל (to), מ (from), ש (that), כ (as). */
const HEBREW_PREFIX = /^[והבלמשכ]{1,3}$/;

/** Lower-case words with niqqud, quotes and geresh marks removed and other punctuation as spaces. */
export function normalizeWords(text: string): string[] {
  return stripNiqqud(text)
    .toLowerCase()
    .replace(/[\u2019'"\u05F3\u05F4`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((w) => w.length > 0);
}

function tokenMatches(token: string, word: string, allowPrefix: boolean): boolean {
  if (token === word) return true;
  if (!allowPrefix || !token.endsWith(word)) return false;
  return HEBREW_PREFIX.test(token.slice(0, token.length - word.length));
}

/** True when the phrase's words occur consecutively in `tokens` (the first word may carry a Hebrew prefix). */
export function phraseOccurs(tokens: readonly string[], phrase: string): boolean {
  const words = normalizeWords(phrase);
  if (words.length === 0) return false;
  const hebrew = /[\u05D0-\u05EA]/.test(phrase);
  for (let i = 0; i + words.length <= tokens.length; i++) {
    let ok = tokenMatches(tokens[i] as string, words[0] as string, hebrew);
    for (let j = 1; ok && j < words.length; j++) ok = tokens[i + j] === words[j];
    if (ok) return true;
  }
  return false;
}

export interface IntentMatch {
  intent: ScriptIntent;
  score: number;
}

/**
 * The matching intent with the highest priority, then the best score (a phrase scores its word count,
 * a pattern 2), earliest on ties; null when none match.
 */
export function matchIntent(text: string, intents: readonly ScriptIntent[]): IntentMatch | null {
  const tokens = normalizeWords(text);
  let best: IntentMatch | null = null;
  for (const intent of intents) {
    let score = 0;
    for (const phrase of [...(intent.keywords.he ?? []), ...(intent.keywords.en ?? [])]) {
      if (phraseOccurs(tokens, phrase)) score += normalizeWords(phrase).length;
    }
    for (const pattern of intent.patterns ?? []) if (new RegExp(pattern, 'iu').test(text)) score += 2;
    if (score === 0) continue;
    const priority = intent.priority ?? 0;
    const bestPriority = best?.intent.priority ?? 0;
    if (best === null || priority > bestPriority || (priority === bestPriority && score > best.score)) best = { intent, score };
  }
  return best;
}
