// One turn's latency timeline: the first time each stage happened, and the TURN log line built from them.

export type TurnStage = 'endOfSpeech' | 'sttFinal' | 'llmFirstToken' | 'ttsFirstAudio' | 'mediaTx';

export interface TurnSummary {
  'endOfSpeech→sttFinal': number | null;
  'sttFinal→llmFirstToken': number | null;
  'llmFirstToken→ttsFirstAudio': number | null;
  'ttsFirstAudio→mediaTx': number | null;
  'endOfSpeech→firstAudio': number | null;
  TTS_LEN_ms: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

export class TurnTimeline {
  private readonly at: Partial<Record<TurnStage, number>> = {};
  /** Milliseconds of agent audio synthesized this turn. */
  ttsLenMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records a stage the first time only; returns true when this call recorded it. */
  mark(stage: TurnStage, t: number = this.now()): boolean {
    if (this.at[stage] !== undefined) return false;
    this.at[stage] = t;
    return true;
  }

  private span(from: TurnStage, to: TurnStage): number | null {
    const a = this.at[from];
    const b = this.at[to];
    return a === undefined || b === undefined ? null : round(b - a);
  }

  summary(): TurnSummary {
    return {
      'endOfSpeech→sttFinal': this.span('endOfSpeech', 'sttFinal'),
      'sttFinal→llmFirstToken': this.span('sttFinal', 'llmFirstToken'),
      'llmFirstToken→ttsFirstAudio': this.span('llmFirstToken', 'ttsFirstAudio'),
      'ttsFirstAudio→mediaTx': this.span('ttsFirstAudio', 'mediaTx'),
      'endOfSpeech→firstAudio': this.span('endOfSpeech', 'mediaTx'),
      TTS_LEN_ms: round(this.ttsLenMs),
    };
  }
}
