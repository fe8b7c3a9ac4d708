// Plays the Twilio side of one Media Stream over a real WebSocket: connected + start, paced audio, dtmf, stop, mark echoes.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { FRAME_BYTES, mulawSilence, splitFrames } from '@tva/audio';
import { twilioMessage } from '@tva/twilio-media-stream';
import { CallRecorder } from './call-recorder';
import type { CallResult } from './call-result';
import { FramePacer } from './frame-pacer';
import { resolveStreamUrl } from './resolve-stream-url';
import { SimulatorError } from './simulator-error';
import { readBody } from './read-body';

export interface ConnectOptions {
  /** ws:// or wss://; an http(s) base without a path gets /ws/twilio-media. */
  url: string;
  /** Subprotocols to offer. Twilio offers none; pass ['audio.twilio.com'] to check the echo. */
  protocols?: string[];
  headers?: Record<string, string>;
  callSid?: string;
  streamSid?: string;
  accountSid?: string;
  customParameters?: Record<string, string>;
  connectTimeoutMs?: number;
}

const TICK_MS = 20;
const MAX_BODY_CHARS = 4096;

/** A fresh Twilio-shaped identifier: prefix (CA, AC, MZ …) + 32 hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export class SimulatedCall extends EventEmitter {
  readonly streamSid: string;
  readonly callSid: string;
  readonly accountSid: string;
  readonly recorder: CallRecorder;
  /** Negotiated subprotocol, '' when none. */
  protocol = '';
  upgradeStatus: number | undefined;
  upgradeBody: string | undefined;
  closeCode: number | null = null;
  closeReason = '';
  sentBytes = 0;
  private readonly t0 = performance.now();
  private readonly ws: WebSocket | undefined;
  private readonly pacer = new FramePacer(TICK_MS);
  private readonly readyPromise: Promise<void>;
  private readonly closedPromise: Promise<void>;
  private ticker: NodeJS.Timeout | undefined;
  private seq = 0;
  private chunk = 0;
  private mediaStartMs = 0;

  /** Starts connecting at once; await ready() (or use SimulatedCall.connect) before sending. */
  constructor(private readonly opts: ConnectOptions) {
    super();
    this.streamSid = opts.streamSid ?? newSid('MZ');
    this.callSid = opts.callSid ?? newSid('CA');
    this.accountSid = opts.accountSid ?? newSid('AC');
    this.recorder = new CallRecorder(() => this.elapsedMs(), {
      echoMark: (name) => this.sendText(twilioMessage.mark({ streamSid: this.streamSid, sequenceNumber: ++this.seq, name })),
      emit: (event, ...args) => this.emitSafe(event, ...args),
    });
    let settle!: (err?: Error) => void;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    this.readyPromise.catch(() => undefined); // callers may never ask; the error is in the record anyway
    let closed!: () => void;
    this.closedPromise = new Promise<void>((resolve) => (closed = resolve));
    try {
      this.ws = new WebSocket(resolveStreamUrl(opts.url), opts.protocols ?? [], {
        headers: opts.headers ?? {},
        perMessageDeflate: false,
        handshakeTimeout: opts.connectTimeoutMs ?? 5000,
      });
    } catch (err) {
      const error = err instanceof SimulatorError ? err : new SimulatorError('SIM_ERR_CONNECT_FAILED', (err as Error).message);
      this.recorder.error(`${error.code}: ${error.message}`);
      settle(error);
      closed();
      return;
    }
    this.wire(this.ws, settle, closed);
  }

  /** Connects and sends connected + start; rejects with a SimulatorError when the call cannot begin. */
  static async connect(opts: ConnectOptions): Promise<SimulatedCall> {
    const call = new SimulatedCall(opts);
    await call.ready();
    return call;
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Resolves once the socket has closed (never rejects). */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /** Sends 8 kHz μ-law as 160-byte frames, one every 20 ms in real time; the last frame is padded with silence. */
  sendAudio(mulaw: Uint8Array): Promise<void> {
    return this.pacer.pace(splitFrames(mulaw, FRAME_BYTES), (frame) => {
      this.chunk++;
      const timestamp = Math.round(this.elapsedMs() - this.mediaStartMs);
      this.sendText(
        twilioMessage.media({ streamSid: this.streamSid, sequenceNumber: ++this.seq, chunk: this.chunk, timestamp, payload: frame }),
      );
      this.sentBytes += frame.byteLength;
    });
  }

  sendSilence(ms: number): Promise<void> {
    return this.sendAudio(mulawSilence(Math.max(0, Math.round(ms * 8))));
  }

  sendDtmf(digit: string): void {
    this.sendText(twilioMessage.dtmf({ streamSid: this.streamSid, sequenceNumber: ++this.seq, digit }));
    this.recorder.note('dtmf', digit);
  }

  /** Hangs up as Twilio does: sends stop, then closes the socket. */
  async stop(): Promise<void> {
    if (this.isOpen) {
      this.sendText(
        twilioMessage.stop({ streamSid: this.streamSid, sequenceNumber: ++this.seq, accountSid: this.accountSid, callSid: this.callSid }),
      );
      this.recorder.note('stop');
    }
    await this.close(1000, 'stop');
  }

  /** Closes the socket without a stop message. */
  async close(code = 1000, reason = ''): Promise<void> {
    this.pacer.cancel();
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    else this.ws?.terminate();
    await this.closedPromise;
  }

  /** Drops the connection at once (used by the hard deadline). */
  terminate(): void {
    this.pacer.cancel();
    this.ws?.terminate();
  }

  result(): CallResult {
    const r = this.recorder;
    const result: CallResult = {
      streamSid: this.streamSid,
      callSid: this.callSid,
      received: r.received,
      played: r.played,
      sentBytes: this.sentBytes,
      marks: r.marks.map((m) => ({ ...m })),
      clears: [...r.clears],
      firstAudioMs: r.firstAudioMs,
      gaps: [...r.gapTracker.gaps],
      // Gaps are stamped when the playback ran dry, which can precede entries already written.
      timeline: [...r.timeline].sort((a, b) => a.atMs - b.atMs),
      closeCode: this.closeCode,
      closeReason: this.closeReason,
      protocol: this.protocol,
      durationMs: Math.round(this.elapsedMs()),
      errors: [...r.errors],
    };
    if (this.upgradeStatus !== undefined) result.upgradeStatus = this.upgradeStatus;
    if (this.upgradeBody !== undefined) result.upgradeBody = this.upgradeBody;
    return result;
  }

  private wire(ws: WebSocket, settle: (err?: Error) => void, closed: () => void): void {
    let opened = false;
    let failure: SimulatorError | undefined;
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      // With this listener ws leaves the request to us: read the answer, then drop the socket.
      this.upgradeStatus = res.statusCode;
      this.recorder.note('upgrade-refused', `HTTP ${res.statusCode}`);
      failure = new SimulatorError('SIM_ERR_UPGRADE_REFUSED', `HTTP ${res.statusCode}`, { upstreamStatus: res.statusCode });
      void readBody(res, MAX_BODY_CHARS).then((body) => {
        this.upgradeBody = body;
        ws.terminate();
      });
    });
    ws.on('open', () => {
      opened = true;
      this.protocol = ws.protocol;
      this.recorder.note('open', this.protocol === '' ? 'no subprotocol' : `subprotocol ${this.protocol}`);
      this.sendText(twilioMessage.connected());
      this.recorder.note('connected');
      this.sendText(
        twilioMessage.start({
          streamSid: this.streamSid,
          callSid: this.callSid,
          accountSid: this.accountSid,
          customParameters: this.opts.customParameters ?? {},
          sequenceNumber: ++this.seq,
        }),
      );
      this.mediaStartMs = this.elapsedMs();
      this.recorder.note('start', this.streamSid);
      this.ticker = setInterval(() => this.recorder.tick(), TICK_MS);
      settle();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.recorder.onBinary(Buffer.isBuffer(data) ? data.byteLength : Buffer.concat(data as Buffer[]).byteLength);
      else this.recorder.onText(data.toString(), this.streamSid);
    });
    ws.on('error', (err) => {
      if (!opened && !failure) {
        failure = new SimulatorError(/timed out/i.test(err.message) ? 'SIM_ERR_CONNECT_TIMEOUT' : 'SIM_ERR_CONNECT_FAILED', err.message);
      }
      if (!failure || failure.code !== 'SIM_ERR_UPGRADE_REFUSED') this.recorder.error(`${failure?.code ?? 'SIM_ERR_WS'}: ${err.message}`);
      this.emitSafe('error', err);
    });
    ws.on('close', (code, reason) => {
      if (this.ticker) clearInterval(this.ticker);
      if (opened) this.recorder.tick();
      this.pacer.cancel();
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.recorder.note('close', `${code}${this.closeReason ? ` ${this.closeReason}` : ''}`);
      if (!opened) {
        if (failure?.code === 'SIM_ERR_UPGRADE_REFUSED') this.recorder.errors.push(`${failure.code}: ${failure.message}`);
        settle(failure ?? new SimulatorError('SIM_ERR_CONNECT_FAILED', `closed with ${code} before opening`));
      }
      this.emitSafe('close', code, this.closeReason);
      closed();
    });
  }

  private sendText(text: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** 'error' without a listener would throw from EventEmitter; the error is in the record either way. */
  private emitSafe(event: string, ...args: unknown[]): void {
    if (event === 'error' && this.listenerCount('error') === 0) return;
    this.emit(event, ...args);
  }
}
