// Cuts a stream of LLM text deltas into speakable sentences (Hebrew and English) so TTS can start before the reply ends.

export interface SentenceSplitterOptions {
  /** Sentences shorter than this (after trimming) are merged with the next one. Default 12. */
  minLength?: number;
  /** Text longer than this with no sentence end is cut at the last comma or space. Default 250. */
  maxLength?: number;
}

/** Characters that end a sentence. U+05C3 is the Hebrew sof pasuq; U+061F the Arabic question mark. */
const TERMINATORS = new Set(['.', '!', '?', '…', '\u05C3', '\u061F', '\n']);
/** Closing quotes and brackets that belong to the sentence they follow. */
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '»', '\u05F4']);
/** English abbreviations whose period does not end a sentence (compared lower-case, without the period). */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'jr', 'sr', 'vs', 'etc', 'e.g', 'i.e', 'inc', 'ltd', 'co', 'no', 'mt',
  'a.m', 'p.m', 'approx', 'dept', 'tel', 'ext', 'fig', 'u.s',
]);

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/** True when the period at `dot` belongs to an abbreviation or a single-letter initial ("J. Smith"). */
function isAbbreviation(text: string, dot: number): boolean {
  let start = dot;
  while (start > 0 && /[A-Za-z.]/.test(text[start - 1] as string)) start--;
  const word = text.slice(start, dot).toLowerCase();
  if (word.length === 0) return false;
  if (ABBREVIATIONS.has(word)) return true;
  return word.length === 1 && /[A-Z]/.test(text[dot - 1] as string);
}

export class SentenceSplitter {
  private readonly minLength: number;
  private readonly maxLength: number;
  private buffer = '';
  /** Where the next boundary search starts; everything before it was already judged "not a boundary". */
  private scanFrom = 0;

  constructor(opts: SentenceSplitterOptions = {}) {
    this.minLength = opts.minLength ?? 12;
    this.maxLength = opts.maxLength ?? 250;
  }

  /** Adds a text delta; returns the sentences it completed (possibly none). */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    for (;;) {
      const end = this.nextBoundary();
      if (end < 0) {
        const forced = this.cutOverlong();
        if (forced === null) break;
        if (forced.length > 0) out.push(forced);
        continue;
      }
      const sentence = clean(this.buffer.slice(0, end));
      if (sentence.length >= this.minLength) {
        out.push(sentence);
        this.buffer = this.buffer.slice(end).trimStart();
        this.scanFrom = 0;
      } else {
        this.scanFrom = end; // too short: keep it and merge with what follows
      }
    }
    return out;
  }

  /** Returns whatever is left (the reply ended), or null when nothing speakable remains. */
  flush(): string | null {
    const rest = clean(this.buffer);
    this.buffer = '';
    this.scanFrom = 0;
    return rest.length > 0 && /[\p{L}\p{N}]/u.test(rest) ? rest : null;
  }

  /** Index just past the next sentence end at or after scanFrom, or -1 if none is certain yet. */
  private nextBoundary(): number {
    const text = this.buffer;
    for (let i = this.scanFrom; i < text.length; i++) {
      const ch = text[i] as string;
      if (!TERMINATORS.has(ch)) continue;
      let end = i + 1;
      while (end < text.length && TERMINATORS.has(text[end] as string) && text[end] !== '\n') end++;
      while (end < text.length && CLOSERS.has(text[end] as string)) end++;
      if (ch === '\n') return end;
      // Why wait for the next character: "3." may still become "3.5", "…" may still be "...".
      if (end >= text.length) return -1;
      if (!isSpace(text[end])) {
        i = end - 1;
        continue;
      }
      if (ch === '.' && end === i + 1 && isAbbreviation(text, i)) continue;
      if (/\S/.test(text.slice(0, i))) return end;
    }
    return -1;
  }

  private cutOverlong(): string | null {
    if (this.buffer.length <= this.maxLength) return null;
    const head = this.buffer.slice(0, this.maxLength);
    let cut = Math.max(head.lastIndexOf(', '), head.lastIndexOf('، '), head.lastIndexOf('; '));
    cut = cut > this.minLength ? cut + 1 : head.lastIndexOf(' ');
    if (cut <= 0) cut = this.maxLength;
    const piece = clean(this.buffer.slice(0, cut));
    this.buffer = this.buffer.slice(cut).trimStart();
    this.scanFrom = 0;
    return piece;
  }
}

function clean(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
