// The calls in progress, in webhooks' memory: what the console's Live page lists and streams (SSE) as it changes.
import type { CallDirection, LiveState } from '@tva/security';

export type { CallDirection, LiveState };

/** How the call is being carried right now: the media stream, or turn by turn with <Record>. */
export type LiveMode = 'stream' | 'record';

/** One line of the live transcript. `interrupted`: the caller cut the agent short; `text` is what was heard. */
export interface LiveTranscriptLine {
  who: 'caller' | 'agent';
  text: string;
  at: number;
  turn: number;
  interrupted?: boolean;
}

/** A call in progress, without its transcript (what the Live list shows). Times are epoch ms. */
export interface LiveCallSummary {
  callSid: string;
  direction: CallDirection;
  /** Caller and callee as recorded (already masked when RECORDS_MASK_NUMBERS is on); absent when not known. */
  from?: string;
  to?: string;
  startedAt: number;
  mode: LiveMode;
  state: LiveState;
  /** End of speech → first agent audio of the last turn that had one (the TURN line's 'endOfSpeech→firstAudio'). */
  lastTurnMs: number | null;
  turns: number;
  updatedAt: number;
}

/** A call in progress with its transcript so far. */
export interface LiveCall extends LiveCallSummary {
  transcript: LiveTranscriptLine[];
}

/**
 * What a subscriber (one SSE stream) hears. 'call': the summary changed (or the call appeared); 'line': the transcript
 * grew; 'turn-replaced': a turn already shown was re-reported (a barge-in cut its reply short) — its lines are now
 * `lines` (the agent's as heard, flagged interrupted); 'ended': the call left the live list.
 */
export type LiveCallChange =
  | { type: 'call'; call: LiveCallSummary }
  | { type: 'line'; callSid: string; line: LiveTranscriptLine }
  | { type: 'turn-replaced'; callSid: string; turn: number; lines: LiveTranscriptLine[] }
  | { type: 'ended'; callSid: string; endedAt: number };

export type LiveCallListener = (change: LiveCallChange) => void;

// why: a worker SIGKILLed mid-call never says the call ended; an entry nobody has touched for this long is gone.
const DEFAULT_MAX_IDLE_MS = 30 * 60_000;
// why: bounded memory whatever arrives; far above the calls one VM can carry.
const MAX_CALLS = 2_000;
const MAX_LINES = 400;

const summaryOf = ({ transcript: _t, ...summary }: LiveCall): LiveCallSummary => ({ ...summary });

export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  private readonly listeners = new Set<LiveCallListener>();

  constructor(private readonly opts: { maxIdleMs?: number; now?: () => number } = {}) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The calls in progress, oldest first, without transcripts. */
  list(): LiveCallSummary[] {
    return [...this.calls.values()].map(summaryOf);
  }

  /** One call in progress with its transcript (a copy), or undefined when it is not live. */
  get(callSid: string): LiveCall | undefined {
    const call = this.calls.get(callSid);
    return call && { ...call, transcript: call.transcript.map((l) => ({ ...l })) };
  }

  get size(): number {
    return this.calls.size;
  }

  /** Calls `listener` on every change until the returned function is called. A throwing listener is dropped. */
  subscribe(listener: LiveCallListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A call appeared (media's call-start, or webhooks' incoming_call/RECORD turn); known fields are merged. */
  start(callSid: string, init: { direction?: CallDirection; from?: string; to?: string; mode?: LiveMode; startedAt?: number }): void {
    const now = this.now();
    const known = this.calls.get(callSid);
    const call: LiveCall = known ?? {
      callSid,
      direction: 'phone',
      startedAt: init.startedAt ?? now,
      mode: 'stream',
      state: 'listening',
      lastTurnMs: null,
      turns: 0,
      updatedAt: now,
      transcript: [],
    };
    if (init.direction) call.direction = init.direction;
    if (init.from !== undefined) call.from = init.from;
    if (init.to !== undefined) call.to = init.to;
    if (init.mode) call.mode = init.mode;
    if (init.startedAt !== undefined && init.startedAt < call.startedAt) call.startedAt = init.startedAt;
    call.updatedAt = now;
    if (!known) this.add(call);
    this.emit({ type: 'call', call: summaryOf(call) });
  }

  setState(callSid: string, state: LiveState): void {
    this.update(callSid, (c) => {
      if (c.state === state) return false;
      c.state = state;
      return true;
    });
  }

  setMode(callSid: string, mode: LiveMode): void {
    this.update(callSid, (c) => {
      if (c.mode === mode) return false;
      c.mode = mode;
      return true;
    });
  }

  /** A finished turn: its caller and agent lines join the transcript (or replace that turn's); `latencyMs` becomes lastTurnMs when known. */
  addTurn(callSid: string, turn: { turn: number; at: number; callerText: string; agentText: string; interrupted: boolean; latencyMs?: number | null }): void {
    const call = this.calls.get(callSid);
    if (!call) return;
    const lines: LiveTranscriptLine[] = [];
    if (turn.callerText) lines.push({ who: 'caller', text: turn.callerText, at: turn.at, turn: turn.turn });
    if (turn.agentText || turn.interrupted) lines.push({ who: 'agent', text: turn.agentText, at: turn.at, turn: turn.turn, ...(turn.interrupted ? { interrupted: true } : {}) });
    const at = call.transcript.findIndex((l) => l.turn === turn.turn);
    if (at >= 0) {
      const count = call.transcript.filter((l) => l.turn === turn.turn).length;
      call.transcript.splice(at, count, ...lines);
    } else {
      call.transcript.push(...lines);
      call.turns += 1;
    }
    if (call.transcript.length > MAX_LINES) call.transcript.splice(0, call.transcript.length - MAX_LINES);
    if (turn.latencyMs != null) call.lastTurnMs = turn.latencyMs;
    call.updatedAt = this.now();
    if (at >= 0) this.emit({ type: 'turn-replaced', callSid, turn: turn.turn, lines });
    else for (const line of lines) this.emit({ type: 'line', callSid, line });
    this.emit({ type: 'call', call: summaryOf(call) });
  }

  /** The call is over (hung up, transferred, or ended in RECORD mode). Unknown calls are ignored. */
  end(callSid: string): void {
    if (!this.calls.delete(callSid)) return;
    this.emit({ type: 'ended', callSid, endedAt: this.now() });
  }

  /** Forgets calls nobody has touched for maxIdleMs (their worker died without a word); returns how many went. */
  sweep(): number {
    const cutoff = this.now() - (this.opts.maxIdleMs ?? DEFAULT_MAX_IDLE_MS);
    const stale = [...this.calls.values()].filter((c) => c.updatedAt < cutoff).map((c) => c.callSid);
    for (const sid of stale) this.end(sid);
    return stale.length;
  }

  private add(call: LiveCall): void {
    this.calls.set(call.callSid, call);
    // Map iterates in insertion order: the oldest call goes first.
    for (const sid of this.calls.keys()) {
      if (this.calls.size <= MAX_CALLS) break;
      this.end(sid);
    }
  }

  private update(callSid: string, change: (call: LiveCall) => boolean): void {
    const call = this.calls.get(callSid);
    if (!call || !change(call)) return;
    call.updatedAt = this.now();
    this.emit({ type: 'call', call: summaryOf(call) });
  }

  private emit(change: LiveCallChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // why: one broken SSE stream must not stop the others or the notice that caused the change.
        this.listeners.delete(listener);
      }
    }
  }
}
