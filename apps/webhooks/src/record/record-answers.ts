// Turns outcomes and fixed phrases into RECORD-mode TwiML, with cached audio when ready and <Say> otherwise.
import type { PhraseAudio } from './phrase-audio';
import { type Languages, type PhraseKind, type PhraseLanguage, phraseText } from './record-phrases';
import type { TurnOutcome } from './record-turn';
import { type RecordVerbSettings, type Speech, audioUrl, endTwiml, holdTwiml, listenTwiml } from './record-twiml';

export class RecordAnswers {
  constructor(
    private readonly phrases: PhraseAudio,
    private readonly languages: Languages,
    private readonly rec: RecordVerbSettings,
    private readonly apologyText: string,
  ) {}

  /** A fixed text as cached audio if ready, else <Say> in its language (and its synthesis starts for next time). */
  speech(base: string, text: string, language: PhraseLanguage = this.languages.ofText(text)): Speech {
    const id = this.phrases.idFor(text);
    return id ? { play: audioUrl(base, id) } : this.say(text, language);
  }

  say(text: string, language: PhraseLanguage = this.languages.ofText(text)): Speech {
    return { say: text, language: this.languages.tag(language), voice: this.languages.sayVoice(language) };
  }

  phrase(base: string, kind: PhraseKind, language: PhraseLanguage): Speech {
    return this.speech(base, phraseText(kind, language), language);
  }

  /** Say something, then record the next turn. */
  listen(base: string, speech: Speech, silent = 1): string {
    return listenTwiml(base, [speech], this.rec, silent);
  }

  apology(base: string): string {
    return this.listen(base, this.speech(base, this.apologyText));
  }

  hold(base: string, language: PhraseLanguage, turnId: string): string {
    return holdTwiml(base, [this.phrase(base, 'hold', language)], turnId);
  }

  fromOutcome(base: string, outcome: TurnOutcome): string {
    switch (outcome.kind) {
      case 'failed':
        return this.apology(base);
      case 'not-heard':
        return this.listen(base, this.phrase(base, 'notHeard', outcome.language));
      case 'reply': {
        const spoken: Speech[] = [];
        if (outcome.text) spoken.push(outcome.audioId ? { play: audioUrl(base, outcome.audioId) } : this.say(outcome.text));
        if (outcome.end) return endTwiml(spoken, outcome.end);
        return listenTwiml(base, spoken, this.rec, 1);
      }
    }
  }
}
