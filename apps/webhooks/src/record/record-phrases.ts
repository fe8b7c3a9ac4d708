// The fixed things RECORD mode says (re-prompts, hold, resume, goodbye) in Hebrew and English, and language picking.
import { UNRECOGNIZED_SPEECH_TURN, detectLanguage, dtmfKeysOf, languageFromTag } from '@tva/providers';

export type PhraseLanguage = 'he' | 'en';
export type PhraseKind = 'greeting' | 'resume' | 'notHeard' | 'stillThere' | 'hold' | 'silentGoodbye';

const PHRASES: Record<PhraseKind, Record<PhraseLanguage, string>> = {
  greeting: { he: 'שלום! במה אפשר לעזור?', en: 'Hello! How can I help?' },
  resume: { he: 'סליחה על ההפרעה. אפשר להמשיך לדבר.', en: 'Sorry about that. Please go on.' },
  notHeard: { he: 'סליחה, לא שמעתי. אפשר לחזור על זה?', en: "Sorry, I didn't catch that. Could you say it again?" },
  stillThere: { he: 'אתם עדיין איתי? אפשר לדבר.', en: 'Are you still there? Go ahead.' },
  hold: { he: 'רגע אחד, אני בודקת.', en: 'One moment, please.' },
  silentGoodbye: { he: 'לא שמעתי אתכם, אז אסיים את השיחה. להתראות.', en: "I can't hear you, so I'll end the call. Goodbye." },
};

export function phraseText(kind: PhraseKind, language: PhraseLanguage): string {
  return PHRASES[kind][language];
}

/** Twilio's own Hebrew needs a Google voice; its default voices do not speak he-IL. */
const SAY_VOICES: Partial<Record<PhraseLanguage, string>> = { he: 'Google.he-IL-Wavenet-A' };

export class Languages {
  /** The configured agent language (TTS_LANGUAGE), e.g. he-IL. */
  readonly defaultTag: string;
  readonly default: PhraseLanguage;

  constructor(ttsLanguage: string) {
    this.defaultTag = ttsLanguage;
    this.default = languageFromTag(ttsLanguage) ?? 'en';
  }

  /** The caller's language: the recognizer's tag, else the letters of the last thing they said, else the default. */
  ofCaller(sttTag: string | undefined, lastUserText: string | undefined): PhraseLanguage {
    const tagged = languageFromTag(sttTag);
    if (tagged) return tagged;
    if (lastUserText && dtmfKeysOf(lastUserText) === undefined && lastUserText !== UNRECOGNIZED_SPEECH_TURN) return detectLanguage(lastUserText, this.default);
    return this.default;
  }

  /** BCP-47 tag for <Say language>: the configured one when it is that language (keeps en-GB, he-IL). */
  tag(language: PhraseLanguage): string {
    if (language === this.default) return this.defaultTag;
    return language === 'he' ? 'he-IL' : 'en-US';
  }

  /** The language of arbitrary text (a reply, the apology), for <Say>. */
  ofText(text: string): PhraseLanguage {
    return detectLanguage(text, this.default);
  }

  sayVoice(language: PhraseLanguage): string | undefined {
    return SAY_VOICES[language];
  }
}
