// ScriptedLlmProvider with the shipped agent script: intents in Hebrew and English, DTMF, end_call, honest fallback.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ChatMessage, LlmChunk } from '../src/contracts';
import { AgentScriptError, DEFAULT_AGENT_SCRIPT_PATH, ScriptedLlmProvider, loadAgentScript, type AgentScript } from '../src/offline';

/** No TRANSFER_NUMBER (the default): the script never offers or promises a transfer. */
const llm = new ScriptedLlmProvider();
const withTransfer = new ScriptedLlmProvider({ transfer: true });
const users = (...texts: string[]): ChatMessage[] => texts.map((content) => ({ role: 'user' as const, content }));

async function reply(messages: ChatMessage[], provider = llm): Promise<{ text: string; chunks: LlmChunk[] }> {
  const chunks: LlmChunk[] = [];
  for await (const c of provider.stream(messages, new AbortController().signal)) chunks.push(c);
  return { text: chunks.map((c) => (c.type === 'text' ? c.text : '')).join(''), chunks };
}

const toolCalls = (chunks: LlmChunk[]): string[] => chunks.flatMap((c) => (c.type === 'tool_call' ? [c.call.name] : []));
const script = loadAgentScript();

t.test('the shipped script loads from the default path', async (t) => {
  t.match(DEFAULT_AGENT_SCRIPT_PATH, /packages\/providers\/assets\/agent-script\.json$/);
  t.ok(script.intents.length >= 5);
});

t.test('no caller turn yet: the greeting, in the default language (Hebrew)', async (t) => {
  t.equal((await reply([], withTransfer)).text, script.greeting.he);
  t.equal((await reply([])).text, script.greeting.withoutTransfer?.he, 'without a transfer number, the greeting that offers no 0');
  t.equal(llm.greeting('en'), script.greeting.withoutTransfer?.en);
});

for (const [said, intent, lang] of [
  ['מה שעות הפתיחה שלכם?', 'hours', 'he'],
  ['אתם פתוחים ביום שישי?', 'hours', 'he'],
  ['What are your opening hours?', 'hours', 'en'],
  ['what time do you close', 'hours', 'en'],
  ['איפה אתם נמצאים?', 'address', 'he'],
  ['מה הכתובת?', 'address', 'he'],
  ["Where's your office located?", 'address', 'en'],
  ['אפשר לדבר עם נציג?', 'representative', 'he'],
  ['I want a real person please', 'representative', 'en'],
  ['אתה רובוט?', 'about-the-bot', 'he'],
  ['Who are you?', 'about-the-bot', 'en'],
  ['שָׁלוֹם', 'hello', 'he'],
  ['hi there', 'hello', 'en'],
  ['תודה רבה', 'thanks', 'he'],
] as const) {
  t.test(`"${said}" → ${intent} in ${lang}`, async (t) => {
    const decided = withTransfer.decide(users(said));
    t.equal(decided.source, intent);
    t.equal(decided.language, lang);
    const expected = script.intents.find((i) => i.id === intent)?.reply[lang];
    t.equal((await reply(users(said), withTransfer)).text, expected);
  });
}

t.test('goodbye in either language says goodbye, then calls end_call', async (t) => {
  for (const [said, lang] of [
    ['תודה, להתראות', 'he'],
    ['טוב ביי', 'he'],
    ['okay thank you bye', 'en'],
    ['Goodbye!', 'en'],
  ] as const) {
    const { text, chunks } = await reply(users(said));
    t.equal(text, script.intents.find((i) => i.id === 'goodbye')?.reply[lang], said);
    t.same(toolCalls(chunks), ['end_call'], `${said}: end_call`);
    const last = chunks.at(-1);
    t.equal(last?.type, 'tool_call', 'the tool call comes after the words');
    if (last?.type === 'tool_call') t.same(last.call.arguments, { reason: 'goodbye' });
  }
});

t.test('asking for a representative emits transfer_call when a transfer number is set', async (t) => {
  t.same(toolCalls((await reply(users('representative please'), withTransfer)).chunks), ['transfer_call']);
  t.equal((await reply(users('representative please'), withTransfer)).text, script.intents.find((i) => i.id === 'representative')?.reply.en);
});

t.test('without a transfer number the script never offers "0 for a representative" and says plainly it cannot transfer', async (t) => {
  const texts = [llm.greeting('he'), llm.greeting('en'), llm.decide(users('hi', '[DTMF *]')).text, llm.decide(users('[DTMF *]')).text];
  for (const text of texts) {
    t.notMatch(text, /0 for a representative|0 לנציג/, text);
    t.notMatch(text, /representative|נציג/, 'no mention of a representative at all');
  }
  for (const [said, lang] of [['I want a real person please', 'en'], ['אפשר לדבר עם נציג?', 'he'], ['[DTMF 0]', 'he']] as const) {
    const { text, chunks } = await reply(users(said));
    t.equal(text, script.transferUnavailable?.[lang], `${said}: the plain "cannot transfer" line`);
    t.same(toolCalls(chunks), [], `${said}: no transfer_call`);
    t.notMatch(text, /transferring|מעבירה/, 'never says it is transferring');
  }
  t.notMatch((await reply(users('Can you book me a flight?'))).text, /representative/, 'the fallback does not list a representative');
  t.match((await reply(users('Can you book me a flight?'), withTransfer)).text, /talking to a representative/, 'it does with a number');
});

t.test('when its transfer_call is refused (no number), the scripted agent corrects itself in the next answer', async (t) => {
  const refusedCall = { id: 'scripted_1', name: 'transfer_call', arguments: { reason: 'representative' } };
  const history: ChatMessage[] = [
    { role: 'user', content: 'I want a real person please' },
    { role: 'assistant', content: 'I am transferring you to a representative, one moment please.', toolCalls: [refusedCall] },
    { role: 'tool', toolCallId: 'scripted_1', content: 'error TURN_ERR_UNKNOWN_TOOL: no tool named "transfer_call" is offered' },
  ];
  const { text, chunks } = await reply(history, withTransfer);
  t.equal(text, script.transferUnavailable?.en);
  t.same(toolCalls(chunks), []);
});

t.test('a script without its own transferUnavailable line still says it cannot transfer', async (t) => {
  const { transferUnavailable: _omitted, ...bare } = script;
  const p = new ScriptedLlmProvider({ script: bare });
  const { text, chunks } = await reply(users('representative please'), p);
  t.match(text, /cannot transfer/);
  t.same(toolCalls(chunks), []);
});

t.test('the reply streams word by word', async (t) => {
  const { chunks } = await reply(users('What are your opening hours?'));
  const texts = chunks.map((c) => (c.type === 'text' ? c.text : ''));
  t.ok(texts.length > 5);
  t.ok(texts.every((w) => w.trim().split(/\s+/).length === 1), 'one word per chunk');
});

t.test('DTMF presses follow the menu, in the language the caller last spoke', async (t) => {
  t.equal((await reply(users('[DTMF 1]'))).text, script.intents.find((i) => i.id === 'hours')?.reply.he, 'no speech yet: default Hebrew');
  t.equal((await reply(users('hello', '[DTMF 2]'))).text, script.intents.find((i) => i.id === 'address')?.reply.en);
  t.equal((await reply(users('hello', 'שלום', '[DTMF 2]'))).text, script.intents.find((i) => i.id === 'address')?.reply.he);
  t.equal((await reply(users('[DTMF 7]'))).text, script.menuInvalid.he, 'unknown key');
  t.equal((await reply(users('hi', '[dtmf *]'))).text, script.intents.find((i) => i.id === 'menu')?.reply.withoutTransfer?.en);
  t.equal((await reply(users('hi', '[dtmf *]'), withTransfer)).text, script.intents.find((i) => i.id === 'menu')?.reply.en);
  const bye = await reply(users('[DTMF 9]'));
  t.same(toolCalls(bye.chunks), ['end_call'], '9 ends the call');
  t.equal(withTransfer.decide(users('[DTMF 0]')).action, 'transfer_call');
  t.equal(llm.decide(users('[DTMF 0]')).action, undefined, 'no transfer without a number');
  t.equal(llm.decide(users('hello', '[unrecognized speech]', '[DTMF 2]')).language, 'en', 'a turn nothing was recognized in does not change the language');
});

t.test('the fallback is honest: an automated scripted demo, and lists what it can answer', async (t) => {
  const en = (await reply(users('Can you book me a flight to Paris?'))).text;
  t.match(en, /automated demo/);
  t.match(en, /script/);
  t.match(en, /opening hours/);
  t.match(en, /our address/);
  t.notMatch(en, /\{topics\}/);
  const he = (await reply(users('תזמין לי טיסה לפריז'))).text;
  t.match(he, /מערכת הדגמה אוטומטית/);
  t.match(he, /שעות הפתיחה/);
  t.equal(llm.decide(users('תזמין לי טיסה לפריז')).source, 'fallback');
});

t.test('whole words only: "this" does not say hi, "the hours" still matches', async (t) => {
  t.equal(llm.decide(users('this is about something else')).source, 'fallback');
  t.equal(llm.decide(users('tell me the hours')).source, 'hours');
  t.equal(llm.decide(users('ובשעות הערב?')).source, 'hours', 'Hebrew prefixes ו+ב are allowed');
});

t.test('abort ends the stream promptly', async (t) => {
  const slow = new ScriptedLlmProvider({ wordDelayMs: 50 });
  const ac = new AbortController();
  const got: LlmChunk[] = [];
  setTimeout(() => ac.abort(), 120);
  const start = Date.now();
  for await (const c of slow.stream(users('Goodbye!'), ac.signal)) got.push(c);
  t.ok(Date.now() - start < 200);
  t.ok(got.length < 5);
  t.same(toolCalls(got), [], 'an aborted goodbye does not hang up');
});

t.test('a script can be given inline', async (t) => {
  const mini: AgentScript = {
    ...script,
    intents: [{ id: 'pizza', keywords: { en: ['pizza'], he: ['פיצה'] }, reply: { he: 'יש פיצה', en: 'We have pizza' } }],
    menu: { '1': { reply: { he: 'אחת', en: 'one' }, action: 'end_call' } },
  };
  const p = new ScriptedLlmProvider({ script: mini });
  t.equal((await reply(users('pizza?'), p)).text, 'We have pizza');
  t.same(toolCalls((await reply(users('[DTMF 1]'), p)).chunks), ['end_call']);
});

t.test('bad script files fail at load with a code and every problem listed', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'script-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  t.throws(() => new ScriptedLlmProvider({ scriptPath: path.join(dir, 'missing.json') }), {
    name: 'AgentScriptError',
    code: 'PROVIDER_UNAVAILABLE',
    providerCode: 'SCRIPT_NOT_FOUND',
  });
  t.throws(() => new ScriptedLlmProvider({ scriptPath: file('bad.json', '{ "version": 1, ') }), {
    name: 'AgentScriptError',
    providerCode: 'SCRIPT_BAD_JSON',
  });
  const broken = {
    ...script,
    version: 2,
    fallback: { he: '' },
    intents: [
      { id: 'a', keywords: {}, reply: { he: 'x', en: 'y' } },
      { id: 'a', keywords: { en: ['x'] }, patterns: ['(unclosed'], reply: { he: 'x', en: 'y' }, action: 'explode' },
    ],
    menu: { '1': { intent: 'nope' }, x: { reply: { he: 'a', en: 'b' } } },
  };
  let err: unknown;
  try {
    new ScriptedLlmProvider({ scriptPath: file('invalid.json', JSON.stringify(broken)) });
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof AgentScriptError);
  const e = err as AgentScriptError;
  t.equal(e.providerCode, 'SCRIPT_INVALID');
  t.match(e.message, /invalid\.json has 9 problem/);
  t.same(e.problems, [
    'version must be 1',
    'fallback.he must be a non-empty string',
    'fallback.en must be a non-empty string',
    'intents[0] needs at least one keyword or pattern',
    'intents[1].id "a" is used twice',
    'intents[1].action must be one of end_call, transfer_call',
    'intents[1].patterns[0] is not a valid regular expression: Invalid regular expression: /(unclosed/iu: Unterminated group',
    'menu["1"].intent "nope" names no intent',
    'menu["x"]: keys must be digits, * or #',
  ]);
});
