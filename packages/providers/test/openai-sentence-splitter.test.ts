// SentenceSplitter on Hebrew and English fixtures, fed whole and in every delta size an LLM might use.
import t from 'tap';
import fc from 'fast-check';
import { SentenceSplitter, type SentenceSplitterOptions } from '../src/sentence-splitter';

function splitAll(text: string, pieceSize = 0, opts?: SentenceSplitterOptions): string[] {
  const s = new SentenceSplitter(opts);
  const out: string[] = [];
  if (pieceSize <= 0) out.push(...s.push(text));
  else for (let i = 0; i < text.length; i += pieceSize) out.push(...s.push(text.slice(i, i + pieceSize)));
  const rest = s.flush();
  if (rest !== null) out.push(rest);
  return out;
}

const FIXTURES: Array<[string, string, string[]]> = [
  [
    'English sentences',
    'Hello, thanks for calling Acme. Our hours are 9 to 5! Can I help with anything else?',
    ['Hello, thanks for calling Acme.', 'Our hours are 9 to 5!', 'Can I help with anything else?'],
  ],
  [
    'Hebrew sentences',
    'שלום, תודה שהתקשרתם. השעות שלנו הן תשע עד חמש! אפשר לעזור במשהו נוסף?',
    ['שלום, תודה שהתקשרתם.', 'השעות שלנו הן תשע עד חמש!', 'אפשר לעזור במשהו נוסף?'],
  ],
  ['decimal numbers and times stay whole', 'The fee is 3.5 shekels at 10.30 today. Thanks a lot.', ['The fee is 3.5 shekels at 10.30 today.', 'Thanks a lot.']],
  [
    'abbreviations and initials are not ends',
    'Dr. Cohen and Mr. J. Smith will call you back, e.g. tomorrow. Is that fine with you?',
    ['Dr. Cohen and Mr. J. Smith will call you back, e.g. tomorrow.', 'Is that fine with you?'],
  ],
  ['tiny fragments merge with the next sentence', 'Yes. Sure. We open at nine tomorrow.', ['Yes. Sure. We open at nine tomorrow.']],
  ['Hebrew short answers merge too', 'כן. בטח. אנחנו פותחים בתשע מחר.', ['כן. בטח. אנחנו פותחים בתשע מחר.']],
  ['ellipsis and ?! runs end once', 'Well… let me check that for you... Really?! That is great news.', ['Well… let me check that for you...', 'Really?! That is great news.']],
  ['closing quotes stay with their sentence', 'He said "we are open today." Then he left the office.', ['He said "we are open today."', 'Then he left the office.']],
  ['newlines end sentences', 'First line of the list\nSecond line of the list', ['First line of the list', 'Second line of the list']],
  ['Hebrew sof pasuq and gershayim', 'צה״ל הודיע היום על תרגיל׃ הציבור מתבקש להישאר רגוע.', ['צה״ל הודיע היום על תרגיל׃', 'הציבור מתבקש להישאר רגוע.']],
  ['mixed Hebrew and English', 'המספר הוא 03-1234567. You can also email us at info@acme.co.il today.', ['המספר הוא 03-1234567.', 'You can also email us at info@acme.co.il today.']],
  ['no end mark: flush returns the rest', 'Thank you for waiting', ['Thank you for waiting']],
];

for (const [name, text, expected] of FIXTURES) {
  t.test(name, async (t) => {
    t.same(splitAll(text), expected, 'whole');
    for (const size of [1, 2, 3, 7]) t.same(splitAll(text, size), expected, `in ${size}-char deltas`);
  });
}

t.test('a sentence is released as soon as the next word starts, not at the end', async (t) => {
  const s = new SentenceSplitter();
  t.same(s.push('Our hours are nine to five.'), [], 'could still be "five.5"');
  t.same(s.push(' We'), ['Our hours are nine to five.']);
  t.same(s.push(' also open Fridays'), []);
  t.equal(s.flush(), 'We also open Fridays');
  t.equal(s.flush(), null, 'flush empties the splitter');
});

t.test('overlong text without an end is cut at a comma or space', async (t) => {
  const long = 'word, '.repeat(60) + 'end';
  const parts = splitAll(long, 5, { maxLength: 100 });
  t.ok(parts.length >= 3);
  for (const p of parts) t.ok(p.length <= 100, `${p.length} ≤ 100`);
  t.equal(parts.join(' ').replace(/\s+/g, ' '), long.trim().replace(/\s+/g, ' '));
});

t.test('punctuation-only leftovers are dropped', async (t) => {
  t.same(splitAll('Done and dusted for today. ...'), ['Done and dusted for today.']);
  const s = new SentenceSplitter();
  s.push(' ... ');
  t.equal(s.flush(), null);
});

t.test('property: any delta split gives the same sentences and loses no words', async () => {
  const word = fc.constantFrom('שלום', 'hello', '3.5', 'Dr.', 'מה', 'נשמע?', 'ok!', 'yes.', 'ימים', 'א׳', 'e.g.', '…', 'time,');
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (words, size) => {
      const text = words.join(' ');
      const whole = splitAll(text);
      const pieces = splitAll(text, size);
      if (JSON.stringify(whole) !== JSON.stringify(pieces)) return false;
      const speakable = (s: string): string => s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).join(' ');
      return speakable(whole.join(' ')) === speakable(text);
    }),
  );
});
