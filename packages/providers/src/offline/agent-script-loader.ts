// Loads and validates the agent script, reporting every problem at once with a stable code.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { ProviderError } from '../contracts';
import type { AgentScript } from './agent-script-types';

export const SCRIPTED_LLM = 'scripted-llm';

/** Why the agent script cannot be used: an AgentScriptError's `providerCode` (its `code` is PROVIDER_UNAVAILABLE). */
export const AGENT_SCRIPT_ERRORS = {
  SCRIPT_NOT_FOUND: { message: 'the agent script file does not exist (AGENT_SCRIPT_FILE)' },
  SCRIPT_UNREADABLE: { message: 'the agent script file cannot be read' },
  SCRIPT_BAD_JSON: { message: 'the agent script is not valid JSON' },
  SCRIPT_INVALID: { message: 'the agent script breaks its schema (every problem is listed)' },
} as const;

export type AgentScriptErrorCode = keyof typeof AGENT_SCRIPT_ERRORS;

export class AgentScriptError extends ProviderError {
  readonly problems: readonly string[];
  constructor(scriptCode: AgentScriptErrorCode, message: string, problems: string[] = [], cause?: unknown) {
    super(SCRIPTED_LLM, 'PROVIDER_UNAVAILABLE', message, { providerCode: scriptCode, ...(cause !== undefined ? { cause } : {}) });
    this.name = 'AgentScriptError';
    this.problems = problems;
  }
}

/** The script shipped with the package: packages/providers/assets/agent-script.json (from src/ or dist/). */
export const DEFAULT_AGENT_SCRIPT_PATH = path.resolve(__dirname, '..', '..', 'assets', 'agent-script.json');

const ACTIONS = ['end_call', 'transfer_call'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

function checkBilingual(v: unknown, where: string, problems: string[]): void {
  if (!isObj(v)) return void problems.push(`${where} must be an object with "he" and "en" texts`);
  for (const lang of ['he', 'en']) if (!isText(v[lang])) problems.push(`${where}.${lang} must be a non-empty string`);
}

/** A Bilingual that may carry a `withoutTransfer` variant. */
function checkSpoken(v: unknown, where: string, problems: string[]): void {
  checkBilingual(v, where, problems);
  if (isObj(v) && v['withoutTransfer'] !== undefined) checkBilingual(v['withoutTransfer'], `${where}.withoutTransfer`, problems);
}

function checkAction(v: unknown, where: string, problems: string[]): void {
  if (v !== undefined && !ACTIONS.includes(v as string)) problems.push(`${where} must be one of ${ACTIONS.join(', ')}`);
}

function checkIntent(v: unknown, where: string, ids: Set<string>, problems: string[]): void {
  if (!isObj(v)) return void problems.push(`${where} must be an object`);
  if (!isText(v['id'])) problems.push(`${where}.id must be a non-empty string`);
  else if (ids.has(v['id'])) problems.push(`${where}.id "${v['id']}" is used twice`);
  else ids.add(v['id']);
  if (v['topic'] !== undefined) checkBilingual(v['topic'], `${where}.topic`, problems);
  checkSpoken(v['reply'], `${where}.reply`, problems);
  checkAction(v['action'], `${where}.action`, problems);
  if (v['priority'] !== undefined && !Number.isFinite(v['priority'])) problems.push(`${where}.priority must be a number`);
  const kw = v['keywords'];
  let count = 0;
  if (!isObj(kw)) problems.push(`${where}.keywords must be an object like {"he": [...], "en": [...]}`);
  else {
    for (const lang of ['he', 'en']) {
      const list = kw[lang];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every(isText)) problems.push(`${where}.keywords.${lang} must be a list of non-empty strings`);
      else count += list.length;
    }
  }
  const patterns = v['patterns'];
  if (patterns !== undefined) {
    if (!Array.isArray(patterns)) problems.push(`${where}.patterns must be a list of regular expressions`);
    else
      patterns.forEach((p, i) => {
        try {
          if (typeof p !== 'string') throw new Error('not a string');
          new RegExp(p, 'iu');
          count++;
        } catch (err) {
          problems.push(`${where}.patterns[${i}] is not a valid regular expression: ${(err as Error).message}`);
        }
      });
  }
  if (count === 0 && isObj(kw)) problems.push(`${where} needs at least one keyword or pattern`);
}

/** Checks a parsed script; returns the list of problems (empty when valid). */
export function validateAgentScript(raw: unknown): string[] {
  const problems: string[] = [];
  if (!isObj(raw)) return ['the script must be a JSON object'];
  if (raw['version'] !== 1) problems.push('version must be 1');
  if (raw['defaultLanguage'] !== 'he' && raw['defaultLanguage'] !== 'en') problems.push('defaultLanguage must be "he" or "en"');
  checkSpoken(raw['greeting'], 'greeting', problems);
  checkBilingual(raw['fallback'], 'fallback', problems);
  checkBilingual(raw['menuInvalid'], 'menuInvalid', problems);
  if (raw['transferUnavailable'] !== undefined) checkBilingual(raw['transferUnavailable'], 'transferUnavailable', problems);
  const ids = new Set<string>();
  if (!Array.isArray(raw['intents'])) problems.push('intents must be a list');
  else raw['intents'].forEach((intent, i) => checkIntent(intent, `intents[${i}]`, ids, problems));
  const menu = raw['menu'];
  if (!isObj(menu)) problems.push('menu must be an object keyed by digit');
  else
    for (const [key, option] of Object.entries(menu)) {
      const where = `menu["${key}"]`;
      if (!/^[0-9*#]+$/.test(key)) problems.push(`${where}: keys must be digits, * or #`);
      if (!isObj(option)) problems.push(`${where} must be an object`);
      else if ('intent' in option) {
        if (!ids.has(option['intent'] as string)) problems.push(`${where}.intent "${String(option['intent'])}" names no intent`);
      } else {
        checkSpoken(option['reply'], `${where}.reply`, problems);
        checkAction(option['action'], `${where}.action`, problems);
      }
    }
  return problems;
}

/** Parses and validates script text; `source` names it in messages. */
export function parseAgentScript(text: string, source = 'agent script'): AgentScript {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AgentScriptError('SCRIPT_BAD_JSON', `${source} is not valid JSON: ${(err as Error).message}`, [], err);
  }
  const problems = validateAgentScript(raw);
  if (problems.length > 0) {
    throw new AgentScriptError('SCRIPT_INVALID', `${source} has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`, problems);
  }
  return raw as AgentScript;
}

export function loadAgentScript(file = DEFAULT_AGENT_SCRIPT_PATH): AgentScript {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'SCRIPT_NOT_FOUND' : 'SCRIPT_UNREADABLE';
    throw new AgentScriptError(code, `cannot read the agent script ${file}: ${(err as Error).message}`, [], err);
  }
  return parseAgentScript(text, file);
}
