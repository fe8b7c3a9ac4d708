// One CallSession per Twilio stream: protocol state, start deadline, keep-alive pings, counters, and the agent.
import type { WebSocket } from 'ws';
import { MediaStreamProtocol, ProtocolError, type ProtocolErrorCode, type StartEvent, type StreamEvent } from '@tva/twilio-media-stream';
import { callLogger, EVENTS, type Logger } from '@tva/logging';
import type { CallTokenCode, StreamEndedBy, TransferAction } from '@tva/security';
import type { Agent, AgentContext } from './agents/agent';
import { MEDIA_ERRORS, wsErrorCode, type MediaErrorCode } from './media-errors';
import type { StreamOutcome } from './outcome-notifier';

/** Why `start` was refused, with the close code to send. */
export interface StartRefusal {
  code: MediaErrorCode | CallTokenCode;
  closeCode: number;
}

/** The error code behind a stream we closed ourselves (WS_STOP's `endCode`, StreamOutcome's `code`). */
export type StreamEndCode = MediaErrorCode | CallTokenCode | ProtocolErrorCode;

export interface CallSessionOptions {
  startTimeoutMs: number;
  pingIntervalMs: number;
  logger: Logger;
  /** The negotiated subprotocol ('' when the client offered none, as Twilio does). */
  protocol: string;
  /** For log lines only: the one client address the router forwards, never used for a decision. */
  remoteAddress: string | undefined;
  createAgent(): Agent;
  /** 'browser' for the console's softphone (/ws/softphone, authorised by a one-time token), 'phone' for Twilio; default 'phone'. */
  direction?: 'phone' | 'browser';
  /**
   * Does this `start` prove it belongs to its call (the call token)? Resolves null when it does. A refused stream
   * never reports an outcome: a stranger naming a live call's CallSid must not decide how that call goes on.
   */
  authenticateStart?(callSid: string, customParameters: Record<string, string>): Promise<StartRefusal | null>;
  /**
   * Called synchronously right before the stream goes live (no await between the check and `started`).
   * `ownsCall` true: the stream is the call's own (e.g. refused only for capacity), so its end is still reported.
   */
  admitStart?(callSid: string): (StartRefusal & { ownsCall: boolean }) | null;
  onClose(session: CallSession): void;
  /** Called once per stream that proved it belongs to its call, with how it ended. */
  onOutcome?(outcome: StreamOutcome): void;
}

/** Close codes we send, with why. */
export const CLOSE = { NORMAL: 1000, GOING_AWAY: 1001, POLICY: 1008, INTERNAL: 1011, TRY_AGAIN_LATER: 1013 } as const;

/** Frames that arrive while `start` is being checked wait for the answer; more than this (5 s of audio) are dropped. */
const MAX_BACKLOG = 250;
/** After our close frame, a peer that does not answer is cut off after this (ws would wait 30 s). */
const CLOSE_TIMEOUT_MS = 1000;

export class CallSession {
  readonly startedAt = Date.now();
  private readonly protocol = new MediaStreamProtocol();
  private log: Logger;
  private agent: Agent | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private pingSentAt = 0;
  private awaitingPong = false;
  private closing = false;
  private closed = false;
  /** Events received while `start` is being checked, replayed in order once it is accepted. */
  private backlog: StreamEvent[] | undefined;
  private backlogDropped = 0;
  /** The conversation as it stood when Twilio sent `stop` (the agent is released then). */
  private finalHistory: StreamOutcome['history'];
  readonly stats = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, marksOut: 0, marksIn: 0, dtmf: 0 };
  /** Why we ended it ourselves, when we did; with the error code behind it. */
  endedBy: StreamEndedBy | undefined;
  private endCode: StreamEndCode | undefined;
  private transfer: TransferAction | undefined;
  /** The call this stream proved it belongs to; only then may its end be reported as that call's outcome. */
  private ownCall: string | undefined;
  /** A valid `start` was accepted: this stream counts against MAX_CALLS. */
  started = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: CallSessionOptions,
  ) {
    this.log = opts.logger;
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('pong', () => this.onPong());
    ws.on('error', (err: Error & { code?: string }) => {
      // why: ws reports oversized frames and bad framing here, then closes the socket itself (e.g. 1009).
      this.log.warn({ event: EVENTS.WS_ERROR, ...wsErrorCode(err.code), err: err.message }, 'websocket error');
    });
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    this.startTimer = setTimeout(() => this.fail(new ProtocolError('TMS_ERR_START_TIMEOUT', `no start within ${opts.startTimeoutMs} ms`)), opts.startTimeoutMs);
    this.pingTimer = setInterval(() => this.ping(), opts.pingIntervalMs);
  }

  /** Who is on the other end: a Twilio phone call, or the console's browser softphone (its record says so). */
  get direction(): 'phone' | 'browser' {
    return this.opts.direction ?? 'phone';
  }

  get callSid(): string | undefined {
    return this.protocol.callSid;
  }

  get streamSid(): string | undefined {
    return this.protocol.streamSid;
  }

  /** True when the agent has no turn in progress and nothing left to play (a good moment to hand the call over). */
  get idle(): boolean {
    return this.agent?.idle?.() ?? true;
  }

  /** For log lines only. */
  get remoteAddress(): string | undefined {
    return this.opts.remoteAddress;
  }

  /** Not started and not closing: holds a slot of the unstarted budget. */
  get waiting(): boolean {
    return !this.started && !this.closing && !this.closed;
  }

  /** Close the stream from our side (shutdown, agent hang-up, refusal). The close reason is the code when there is one. */
  end(closeCode: number, endedBy: StreamEndedBy, code?: StreamEndCode): void {
    if (this.closing) return;
    this.closing = true;
    this.endedBy ??= endedBy;
    this.endCode ??= code;
    this.ws.close(closeCode, code ?? endedBy);
    this.closeTimer = setTimeout(() => this.ws.terminate(), CLOSE_TIMEOUT_MS);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    try {
      if (isBinary) this.protocol.receiveBinary(data.length);
      for (const ev of this.protocol.receive(data.toString('utf8'))) {
        if (ev.type === 'start') this.onStart(ev);
        else if (this.backlog) this.defer(ev);
        else this.handle(ev);
      }
    } catch (err) {
      if (err instanceof ProtocolError) this.fail(err);
      else this.crash(err as Error);
    }
  }

  private handle(ev: StreamEvent): void {
    switch (ev.type) {
      case 'media':
        this.stats.framesIn += 1;
        this.stats.bytesIn += ev.payload.length;
        this.agent?.media(ev.payload);
        break;
      case 'dtmf':
        this.stats.dtmf += 1;
        this.log.info({ event: EVENTS.DTMF, digit: ev.digit }, 'dtmf');
        this.agent?.dtmf(ev.digit);
        break;
      case 'mark':
        this.stats.marksIn += 1;
        this.log.debug({ event: EVENTS.MARK, name: ev.name }, 'mark played');
        this.agent?.mark(ev.name);
        break;
      case 'stop':
        this.log.info({ event: EVENTS.STREAM_STOP }, 'twilio sent stop');
        // why: the outcome still carries the conversation, so RECORD mode can go on with it.
        this.finalHistory = this.agent?.history?.();
        this.agent?.stop();
        this.agent = undefined;
        break;
      default:
        break;
    }
  }

  private defer(ev: StreamEvent): void {
    const backlog = this.backlog as StreamEvent[];
    if (backlog.length < MAX_BACKLOG) {
      backlog.push(ev);
      return;
    }
    this.backlogDropped += 1; // reported in the WS_STOP line
  }

  private onStart(ev: StartEvent): void {
    this.log = callLogger(this.opts.logger, { callSid: ev.callSid, streamSid: ev.streamSid });
    this.backlog = [];
    void this.authorize(ev);
  }

  /** Checks the start (the start timer keeps running meanwhile), then admits it and replays what arrived since. */
  private async authorize(ev: StartEvent): Promise<void> {
    let refused: StartRefusal | null;
    try {
      refused = (await this.opts.authenticateStart?.(ev.callSid, ev.customParameters)) ?? null;
    } catch (err) {
      this.log.error({ event: EVENTS.WS_REJECT, code: 'MEDIA_ERR_START_CHECK' satisfies MediaErrorCode, err: (err as Error).message }, 'could not check the call token; refusing the stream');
      refused = { code: 'MEDIA_ERR_START_CHECK', closeCode: MEDIA_ERRORS.MEDIA_ERR_START_CHECK.closeCode };
    }
    if (this.closing || this.closed) return;
    const notAdmitted = refused ? null : (this.opts.admitStart?.(ev.callSid) ?? null);
    if (!refused && (!notAdmitted || notAdmitted.ownsCall)) this.ownCall = ev.callSid;
    const denied = refused ?? notAdmitted;
    clearTimeout(this.startTimer);
    const backlog = this.backlog ?? [];
    this.backlog = undefined;
    if (denied) {
      this.log.warn({ event: EVENTS.WS_REJECT, code: denied.code, closeCode: denied.closeCode }, 'stream refused at start');
      this.end(denied.closeCode, 'start-refused', denied.code);
      return;
    }
    this.started = true;
    this.log.info({ event: EVENTS.WS_START, protocol: this.opts.protocol || null, tracks: ev.tracks, customParameters: ev.customParameters, remote: this.opts.remoteAddress }, 'stream started');
    try {
      this.agent = this.opts.createAgent();
      this.agent.start(this.context(), { callSid: ev.callSid, streamSid: ev.streamSid, customParameters: ev.customParameters });
      for (const later of backlog) if (!this.closing) this.handle(later);
    } catch (err) {
      this.crash(err as Error);
    }
  }

  private context(): AgentContext {
    return {
      log: this.log,
      direction: this.direction,
      sendAudio: (mulaw, markName) => {
        // why: after Twilio's `stop` (or our close) nothing more can be played; dropping it is not an error.
        if (this.closing || this.ws.readyState !== this.ws.OPEN || this.protocol.state !== 'streaming') return;
        this.ws.send(this.protocol.send({ type: 'media', payload: mulaw }));
        this.stats.framesOut += 1;
        this.stats.bytesOut += mulaw.length;
        if (markName !== undefined) {
          this.ws.send(this.protocol.send({ type: 'mark', name: markName }));
          this.stats.marksOut += 1;
        }
      },
      clear: () => {
        if (this.closing || this.ws.readyState !== this.ws.OPEN || this.protocol.state !== 'streaming') return;
        this.ws.send(this.protocol.send({ type: 'clear' }));
      },
      endCall: (action) => {
        this.log.info({ event: EVENTS.AGENT_END, action: action.kind }, 'agent ended the call');
        if (action.kind === 'transfer') this.transfer = action;
        this.end(CLOSE.NORMAL, action.kind === 'transfer' ? 'transfer' : 'agent-end');
      },
    };
  }

  private ping(): void {
    if (this.awaitingPong) {
      this.log.warn({ event: EVENTS.PING, code: 'WS_ERR_PONG_TIMEOUT' satisfies MediaErrorCode, ms: Date.now() - this.pingSentAt }, 'peer did not answer ping; terminating');
      this.endedBy ??= 'pong-timeout';
      this.ws.terminate();
      return;
    }
    this.awaitingPong = true;
    this.pingSentAt = Date.now();
    this.ws.ping();
    this.log.debug({ event: EVENTS.PING }, 'ping');
  }

  private onPong(): void {
    this.awaitingPong = false;
    this.log.info({ event: EVENTS.PONG, rttMs: Date.now() - this.pingSentAt }, 'pong');
  }

  private fail(err: ProtocolError): void {
    this.log.warn({ event: EVENTS.WS_REJECT, code: err.code, closeCode: err.closeCode, err: err.message }, 'closing stream: protocol error');
    this.end(err.closeCode, 'protocol-error', err.code);
  }

  private crash(err: Error): void {
    this.log.error({ event: EVENTS.SESSION_ERROR, code: 'MEDIA_ERR_SESSION' satisfies MediaErrorCode, err: err.message, stack: err.stack }, 'session failed; closing this stream only');
    this.end(MEDIA_ERRORS.MEDIA_ERR_SESSION.closeCode, 'session-error', 'MEDIA_ERR_SESSION');
  }

  private onClose(code: number, reason: string): void {
    this.closed = true;
    clearTimeout(this.startTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.closeTimer);
    this.backlog = undefined;
    const history = this.agent?.history?.() ?? this.finalHistory;
    try {
      this.agent?.stop();
    } catch (err) {
      this.log.error({ event: EVENTS.SESSION_ERROR, code: 'MEDIA_ERR_SESSION' satisfies MediaErrorCode, err: (err as Error).message }, 'agent stop failed');
    }
    this.agent = undefined;
    const endedBy = this.endedBy ?? 'peer';
    this.log.info(
      { event: EVENTS.WS_STOP, code, reason, endedBy, endCode: this.endCode, durationMs: Date.now() - this.startedAt, ...this.stats, ...(this.backlogDropped ? { backlogDropped: this.backlogDropped } : {}) },
      'stream closed',
    );
    this.opts.onClose(this);
    // why: only a stream that proved it belongs to its call reports, and only for that call (see authenticateStart).
    const { streamSid } = this.protocol;
    if (this.ownCall && streamSid) {
      this.opts.onOutcome?.({
        callSid: this.ownCall,
        streamSid,
        endedBy,
        ...(this.endCode ? { code: this.endCode } : {}),
        closeCode: code,
        ...(endedBy === 'transfer' && this.transfer ? { transfer: this.transfer } : {}),
        ...(history ? { history } : {}),
      });
    }
  }
}
