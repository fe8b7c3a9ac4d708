// One call's reporter to the call feed: builds the typed notices (start, turns, events, state) the voice agent sends.
import { UNRECOGNIZED_SPEECH_TURN, type ProviderSet } from '@tva/providers';
import type { CallDirection, CallEventKind, LiveState } from '@tva/security';
import type { CallFeedSink } from './call-feed';
import type { TurnSummary } from './voice/turn-timeline';

/** What the reporter needs of a finished turn. */
export interface FinishedTurn {
  turn: number;
  callerText: string;
  agentText: string;
  interrupted: boolean;
  failed: boolean;
  summary: TurnSummary;
}

/** The TURN line's spans without the ones that did not happen (the notice carries numbers only). */
export function spansOf(summary: TurnSummary): Record<string, number> {
  const spans: Record<string, number> = {};
  for (const [name, ms] of Object.entries(summary)) if (typeof ms === 'number') spans[name] = ms;
  return spans;
}

export class CallReporter {
  private state: LiveState | undefined;

  constructor(
    private readonly feed: CallFeedSink,
    readonly callSid: string,
  ) {}

  start(streamSid: string, direction: CallDirection, providers: ProviderSet): void {
    this.feed.push({
      kind: 'call-start',
      callSid: this.callSid,
      streamSid,
      at: Date.now(),
      direction,
      providers: { stt: providers.stt.name, llm: providers.llm.name, tts: providers.tts.name },
    });
  }

  turn(t: FinishedTurn): void {
    this.feed.push({
      kind: 'turn',
      callSid: this.callSid,
      at: Date.now(),
      turn: t.turn,
      // why: the placeholder is what the LLM is told when nothing was recognized; the record says nothing was heard.
      callerText: t.callerText === UNRECOGNIZED_SPEECH_TURN ? '' : t.callerText,
      agentText: t.agentText,
      interrupted: t.interrupted,
      ...(t.failed ? { failed: true } : {}),
      spans: spansOf(t.summary),
    });
  }

  event(event: CallEventKind, code?: string, detail?: string): void {
    this.feed.push({ kind: 'event', callSid: this.callSid, at: Date.now(), event, ...(code ? { code } : {}), ...(detail ? { detail } : {}) });
  }

  /** Sends a state change only when the state actually changed (called on every frame: a comparison, nothing more). */
  setState(state: LiveState): void {
    if (state === this.state) return;
    this.state = state;
    this.feed.push({ kind: 'state', callSid: this.callSid, at: Date.now(), state });
  }
}
