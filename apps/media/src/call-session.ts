// One CallSession per Twilio stream: protocol state, start deadline, keep-alive pings, counters, and the agent.
import type { WebSocket } from 'ws';
import { MediaStreamProtocol, ProtocolError } from '@tva/twilio-media-stream';
import { callLogger, EVENTS, type Logger } from '@tva/logging';
import type { Agent, AgentContext } from './agents/agent';
import type { StreamOutcome } from './outcome-notifier';

export interface CallSessionOptions {
  startTimeoutMs: number;
  pingIntervalMs: number;
  logger: Logger;
  /** The negotiated subprotocol ('' when the client offered none, as Twilio does). */
  protocol: string;
  remoteAddress: string | undefined;
  createAgent(): Agent;
  /** Checks `start` before any agent runs; a refusal closes the stream with its close code. */
  authorizeStart?(callSid: string, customParameters: Record<string, string>): { code: string; closeCode: number } | null;
  onClose(session: CallSession): void;
  /** Called once per stream that had a `start`, with how it ended. */
  onOutcome?(outcome: StreamOutcome): void;
}

/** Close codes we send, with why. */
export const CLOSE = { NORMAL: 1000, GOING_AWAY: 1001, POLICY: 1008, TRY_AGAIN_LATER: 1013 } as const;

export class CallSession {
  readonly startedAt = Date.now();
  private readonly protocol = new MediaStreamProtocol();
  private log: Logger;
  private agent: Agent | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pingSentAt = 0;
  private awaitingPong = false;
  private closing = false;
  readonly stats = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, marksOut: 0, marksIn: 0, dtmf: 0 };
  /** Why we ended it ourselves, when we did ('agent-end', 'transfer', a protocol error code, …). */
  endedBy: string | undefined;
  private transferTo: string | undefined;
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
      this.log.warn({ event: 'WS_ERROR', code: err.code ?? 'WS_ERR', err: err.message }, 'websocket error');
    });
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    this.startTimer = setTimeout(() => this.fail(new ProtocolError('TMS_ERR_START_TIMEOUT', `no start within ${opts.startTimeoutMs} ms`)), opts.startTimeoutMs);
    this.pingTimer = setInterval(() => this.ping(), opts.pingIntervalMs);
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

  /** Close the stream from our side (shutdown, agent hang-up). */
  end(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.endedBy ??= reason;
    this.ws.close(code, reason);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    try {
      if (isBinary) this.protocol.receiveBinary(data.length);
      for (const ev of this.protocol.receive(data.toString('utf8'))) {
        switch (ev.type) {
          case 'start':
            this.onStart(ev.callSid, ev.streamSid, ev.customParameters, ev.tracks);
            break;
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
            this.log.info({ event: 'STREAM_STOP' }, 'twilio sent stop');
            this.agent?.stop();
            this.agent = undefined;
            break;
          default:
            break;
        }
      }
    } catch (err) {
      if (err instanceof ProtocolError) this.fail(err);
      else this.crash(err as Error);
    }
  }

  private onStart(callSid: string, streamSid: string, customParameters: Record<string, string>, tracks: readonly string[]): void {
    clearTimeout(this.startTimer);
    this.log = callLogger(this.opts.logger, { callSid, streamSid });
    const refused = this.opts.authorizeStart?.(callSid, customParameters) ?? null;
    if (refused) {
      this.log.warn({ event: EVENTS.WS_REJECT, code: refused.code, closeCode: refused.closeCode }, 'stream refused at start');
      this.endedBy = refused.code;
      this.end(refused.closeCode, refused.code);
      return;
    }
    this.started = true;
    this.log.info({ event: EVENTS.WS_START, protocol: this.opts.protocol || null, tracks, customParameters, remote: this.opts.remoteAddress }, 'stream started');
    this.agent = this.opts.createAgent();
    this.agent.start(this.context(), { callSid, streamSid, customParameters });
  }

  private context(): AgentContext {
    return {
      log: this.log,
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
      endCall: (reason) => {
        this.log.info({ event: 'AGENT_END', reason }, 'agent ended the call');
        if (reason.startsWith('transfer:')) {
          this.transferTo = reason.slice('transfer:'.length) || undefined;
          this.endedBy = 'transfer';
        } else {
          this.endedBy = 'agent-end';
        }
        this.end(CLOSE.NORMAL, this.endedBy);
      },
    };
  }

  private ping(): void {
    if (this.awaitingPong) {
      this.log.warn({ event: EVENTS.PING, code: 'WS_ERR_PONG_TIMEOUT', ms: Date.now() - this.pingSentAt }, 'peer did not answer ping; terminating');
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
    this.endedBy ??= err.code;
    this.end(err.closeCode, err.code);
  }

  private crash(err: Error): void {
    this.log.error({ event: 'SESSION_ERROR', code: 'MEDIA_ERR_SESSION', err: err.message, stack: err.stack }, 'session failed; closing this stream only');
    this.endedBy ??= 'session-error';
    this.end(1011, 'internal error');
  }

  private onClose(code: number, reason: string): void {
    clearTimeout(this.startTimer);
    clearInterval(this.pingTimer);
    const history = this.agent?.history?.();
    try {
      this.agent?.stop();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'agent stop failed');
    }
    this.agent = undefined;
    this.log.info(
      { event: EVENTS.WS_STOP, code, reason, endedBy: this.endedBy ?? 'peer', durationMs: Date.now() - this.startedAt, ...this.stats },
      'stream closed',
    );
    this.opts.onClose(this);
    const { callSid, streamSid } = this.protocol;
    if (callSid && streamSid) {
      this.opts.onOutcome?.({
        callSid,
        streamSid,
        endedBy: this.endedBy ?? 'peer',
        closeCode: code,
        ...(this.transferTo ? { transferTo: this.transferTo } : {}),
        ...(history ? { history } : {}),
      });
    }
  }
}
