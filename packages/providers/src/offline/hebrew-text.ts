// Hebrew text helpers shared by the offline providers: language detection and niqqud stripping.

const HEBREW_LETTER = /[\u05D0-\u05EA\uFB1D-\uFB4F]/;
const LATIN_LETTER = /[A-Za-z]/;

export function containsHebrew(text: string): boolean {
  return HEBREW_LETTER.test(text);
}

/** "he" when the text has Hebrew letters, else "en"; text with neither gets `fallback`. */
export function detectLanguage(text: string, fallback: 'he' | 'en' = 'en'): 'he' | 'en' {
  if (containsHebrew(text)) return 'he';
  if (LATIN_LETTER.test(text)) return 'en';
  return fallback;
}

/**
 * Removes niqqud and cantillation (U+0591–U+05C7). The few punctuation marks in that block keep
 * their meaning: maqaf (U+05BE) becomes a hyphen, sof pasuq (U+05C3) a period, paseq (U+05C0) a space.
 */
export function stripNiqqud(text: string): string {
  return text
    .replace(/\u05BE/g, '-')
    .replace(/\u05C3/g, '.')
    .replace(/\u05C0/g, ' ')
    .replace(/[\u0591-\u05C7]/g, '');
}

/** Maps a BCP-47 tag (he-IL, iw, en-US, en-GB...) to "he" or "en"; anything else → undefined. */
export function languageFromTag(tag: string | undefined): 'he' | 'en' | undefined {
  const primary = tag?.toLowerCase().split(/[-_]/)[0];
  if (primary === 'he' || primary === 'iw') return 'he';
  if (primary === 'en') return 'en';
  return undefined;
}
