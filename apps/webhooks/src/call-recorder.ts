// Webhooks' one writer of call records and live calls: the media worker's feed, plus what webhooks sees itself.
import type { Config } from '@tva/config';
import { EVENTS, type Logger } from '@tva/logging';
import { maskNumber, type CallEndedBy, type CallEventRecord, type RecordsStore, type TurnRecord } from '@tva/records';
import type { CallFeedBatch, CallNotice, StreamEndedBy } from '@tva/security';
import type { LiveCalls } from './live-calls';
import type { WebhookErrorCode } from './webhook-errors';

/** What stream_ended did with the call. */
export type StreamEndAction = 'hangup' | 'dial' | 'none' | 'record';

export interface CallRecorderDeps {
  config: Pick<Config, 'recordsTranscripts' | 'recordsMaskNumbers' | 'callMode'>;
  logger: Logger;
  /** Absent: live calls only (the store could not be opened; logged once at start). */
  store?: RecordsStore | undefined;
  live: LiveCalls;
  /** How long a stream that ended without a deliberate end stays live, waiting for stream_ended to say RECORD. */
  liveLingerMs?: number;
}

/** How a stream's end reads in the record when nothing later says otherwise. */
export function callEndingOf(endedBy: StreamEndedBy): CallEndedBy {
  switch (endedBy) {
    case 'agent-end':
    case 'transfer':
      return endedBy;
    case 'peer':
    case 'twilio-stream-stopped':
      return 'caller-hangup';
    default:
      return 'error';
  }
}

const MAX_REMEMBERED = 10_000;

export class CallRecorder {
  /** Calls that went on in RECORD mode: the media worker's late account of the stream must not overwrite that. */
  private readonly inRecord = new Set<string>();
  private readonly writes = new Set<Promise<void>>();
  private readonly lingering = new Map<string, NodeJS.Timeout>();

  constructor(private readonly d: CallRecorderDeps) {}

  /** incoming_call: the call's row (numbers masked by the store as configured) and its live entry. */
  incomingCall(callSid: string, from: string | undefined, to: string | undefined, mode: 'stream' | 'record'): void {
    const at = Date.now();
    this.d.live.start(callSid, { mode, startedAt: at, ...this.liveNumbers(from, to) });
    if (mode === 'record') this.rememberRecord(callSid);
    this.write(callSid, (s) => s.startCall({ callSid, from: from ?? null, to: to ?? null, startedAt: at, mode }));
  }

  /** One batch of the media worker's feed; resolves when it is written (the internal route answers after). */
  async feed(batch: CallFeedBatch): Promise<void> {
    if (batch.dropped > 0) this.d.logger.warn({ event: EVENTS.CALL_FEED, dropped: batch.dropped }, 'the media worker dropped call feed notices (its queue was full)');
    for (const notice of batch.notices) this.applyLive(notice);
    const store = this.d.store;
    if (!store) return;
    // In order: a turn is written after its call's start, an end after its last turn.
    for (const notice of batch.notices) {
      try {
        await this.applyStore(store, notice);
      } catch (err) {
        this.writeFailed(notice.callSid, err);
      }
    }
  }

  /** stream_ended's decision: hang up or dial (ended), RECORD (the call goes on), none (CALL_MODE=WS: ended). */
  streamEnded(callSid: string, endedBy: StreamEndedBy | 'unknown', action: StreamEndAction, code?: string): void {
    const at = Date.now();
    if (action !== 'record') {
      this.endLive(callSid);
      const ending: CallEndedBy = endedBy === 'unknown' ? 'unknown' : callEndingOf(endedBy);
      this.write(callSid, (s) => s.endCall(callSid, { endedBy: ending, at, ...(code ? { code } : {}) }));
      return;
    }
    this.rememberRecord(callSid);
    this.cancelLinger(callSid);
    this.d.live.start(callSid, { mode: 'record' });
    this.write(callSid, async (s) => {
      await s.addEvent(callSid, { at, kind: 'fallback', detail: `stream ended (${endedBy}): continuing with <Record>`, ...(code ? { code } : {}) });
      await s.addMode(callSid, { mode: 'record', at });
      await s.endCall(callSid, { endedBy: 'fallback', at, ...(code ? { code } : {}) });
    });
  }

  /** A RECORD-mode turn, answered or failed. */
  recordTurn(callSid: string, turn: Omit<TurnRecord, 'mode' | 'at'>, event?: Omit<CallEventRecord, 'at'>): void {
    const at = Date.now();
    this.rememberRecord(callSid);
    this.d.live.start(callSid, { mode: 'record' });
    this.d.live.addTurn(callSid, { turn: turn.turn, at, callerText: this.liveText(turn.callerText), agentText: this.liveText(turn.agentText), interrupted: false });
    this.d.live.setState(callSid, turn.agentText ? 'speaking' : 'listening');
    this.write(callSid, async (s) => {
      await s.addTurn(callSid, { ...turn, mode: 'record', at });
      if (event) await s.addEvent(callSid, { ...event, at });
    });
  }

  /** A RECORD-mode recording arrived and is being answered. */
  recordThinking(callSid: string): void {
    this.d.live.setState(callSid, 'thinking');
  }

  /** The call ended in RECORD mode (caller hung up, the agent ended or transferred it). */
  callEnded(callSid: string, endedBy: CallEndedBy, code?: string): void {
    const at = Date.now();
    this.endLive(callSid);
    this.write(callSid, (s) => s.endCall(callSid, { endedBy, at, ...(code ? { code } : {}) }));
  }

  /** Waits (at most timeoutMs) for the writes still in flight (shutdown). */
  async drain(timeoutMs: number): Promise<void> {
    for (const t of this.lingering.values()) clearTimeout(t);
    this.lingering.clear();
    await Promise.race([Promise.all(this.writes), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private applyLive(n: CallNotice): void {
    const live = this.d.live;
    switch (n.kind) {
      case 'call-start':
        live.start(n.callSid, { direction: n.direction, mode: 'stream' });
        return;
      case 'state':
        live.setState(n.callSid, n.state);
        return;
      case 'turn':
        live.addTurn(n.callSid, {
          turn: n.turn,
          at: n.at,
          callerText: this.liveText(n.callerText),
          agentText: this.liveText(n.agentText),
          interrupted: n.interrupted,
          latencyMs: n.spans['endOfSpeech→firstAudio'] ?? null,
        });
        return;
      case 'call-end':
        if (this.inRecord.has(n.callSid)) return;
        // why: after a failed stream, stream_ended may still move the call to RECORD; until then it stays on the page.
        if (n.endedBy === 'agent-end' || n.endedBy === 'transfer' || this.d.config.callMode === 'WS') this.endLive(n.callSid);
        else this.linger(n.callSid);
        return;
      default:
        return;
    }
  }

  private async applyStore(s: RecordsStore, n: CallNotice): Promise<void> {
    switch (n.kind) {
      case 'call-start':
        await s.startCall({ callSid: n.callSid, direction: n.direction, startedAt: n.at, mode: 'stream', providers: n.providers });
        return;
      case 'turn':
        await s.addTurn(n.callSid, {
          turn: n.turn,
          mode: 'stream',
          at: n.at,
          callerText: n.callerText || null,
          agentText: n.agentText || null,
          interrupted: n.interrupted,
          ...(n.failed ? { failed: true } : {}),
          spans: n.spans,
        });
        return;
      case 'event': {
        // why: a key pressed is what the caller said (a PIN, a card number): with transcripts off it is not kept either.
        const detail = n.event === 'dtmf' && !this.d.config.recordsTranscripts ? undefined : n.detail;
        await s.addEvent(n.callSid, { at: n.at, kind: n.event, ...(n.code ? { code: n.code } : {}), ...(detail ? { detail } : {}) });
        return;
      }
      case 'call-end': {
        const ending = callEndingOf(n.endedBy);
        if (ending === 'error') await s.addEvent(n.callSid, { at: n.at, kind: 'error', detail: `stream ended: ${n.endedBy}`, ...(n.code ? { code: n.code } : {}) });
        // why: once the call went on in RECORD mode, its ending is RECORD mode's to report, not the stream's.
        if (!this.inRecord.has(n.callSid)) await s.endCall(n.callSid, { endedBy: ending, at: n.at, ...(n.code ? { code: n.code } : {}) });
        return;
      }
      default:
        return; // state changes are live-only
    }
  }

  private liveNumbers(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
    const shown = (n: string | undefined) => (n === undefined || n === '' ? undefined : this.d.config.recordsMaskNumbers ? maskNumber(n) : n);
    const f = shown(from);
    const t = shown(to);
    return { ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}) };
  }

  private liveText(text: string | null): string {
    return this.d.config.recordsTranscripts ? (text ?? '') : '';
  }

  private rememberRecord(callSid: string): void {
    this.inRecord.add(callSid);
    for (const sid of this.inRecord) {
      if (this.inRecord.size <= MAX_REMEMBERED) break;
      this.inRecord.delete(sid);
    }
  }

  private linger(callSid: string): void {
    if (this.lingering.has(callSid)) return;
    const timer = setTimeout(() => {
      this.lingering.delete(callSid);
      if (!this.inRecord.has(callSid)) this.d.live.end(callSid);
    }, this.d.liveLingerMs ?? 5_000);
    timer.unref();
    this.lingering.set(callSid, timer);
  }

  private cancelLinger(callSid: string): void {
    clearTimeout(this.lingering.get(callSid));
    this.lingering.delete(callSid);
  }

  private endLive(callSid: string): void {
    this.cancelLinger(callSid);
    this.d.live.end(callSid);
  }

  /** Fire and forget (TwiML never waits for a record), but tracked so shutdown can wait, and failures logged. */
  private write(callSid: string, op: (s: RecordsStore) => Promise<void>): void {
    const store = this.d.store;
    if (!store) return;
    const p = op(store).catch((err: unknown) => this.writeFailed(callSid, err));
    this.writes.add(p);
    void p.finally(() => this.writes.delete(p));
  }

  private writeFailed(callSid: string, err: unknown): void {
    this.d.logger.error({ event: EVENTS.CALL_FEED, code: 'WH_ERR_RECORDS_WRITE' satisfies WebhookErrorCode, callSid, err: (err as Error)?.message ?? String(err) }, 'could not write a call record');
  }
}
