// The server side of a Twilio Media Stream with no I/O: text in, events out; commands in, text out.
import { decodePayload, parseTwilioMessage } from './parse-twilio-message';
import type { TwilioMessage } from './messages';
import { ProtocolError } from './protocol-error';
import type { SendCommand, StreamEvent } from './stream-events';
import { nextState, type ProtocolInput, type StreamState } from './transitions';
import { serverMessage } from './twilio-message';

export interface MediaStreamProtocolOptions {
  /** Largest text frame accepted, in UTF-8 bytes. A media frame is ~300 bytes; start carries the parameters. */
  maxFrameBytes?: number;
}

export interface ProtocolStats {
  framesReceived: number;
  framesSent: number;
  mediaReceived: number;
  mediaBytesReceived: number;
  mediaSent: number;
  mediaBytesSent: number;
  marksReceived: number;
  marksSent: number;
  clearsSent: number;
  dtmfReceived: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

export class MediaStreamProtocol {
  private currentState: StreamState = 'awaiting-connected';
  private sid: string | undefined;
  private call: string | undefined;
  private account: string | undefined;
  private readonly maxFrameBytes: number;
  readonly stats: ProtocolStats = {
    framesReceived: 0,
    framesSent: 0,
    mediaReceived: 0,
    mediaBytesReceived: 0,
    mediaSent: 0,
    mediaBytesSent: 0,
    marksReceived: 0,
    marksSent: 0,
    clearsSent: 0,
    dtmfReceived: 0,
  };

  constructor(options: MediaStreamProtocolOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  get state(): StreamState {
    return this.currentState;
  }

  get streamSid(): string | undefined {
    return this.sid;
  }

  get callSid(): string | undefined {
    return this.call;
  }

  get accountSid(): string | undefined {
    return this.account;
  }

  /** Handles one text frame from Twilio. Throws ProtocolError and leaves the state unchanged on bad input. */
  receive(text: string): StreamEvent[] {
    const size = Buffer.byteLength(text, 'utf8');
    if (size > this.maxFrameBytes) throw new ProtocolError('TMS_ERR_FRAME_TOO_LARGE', `${size} > ${this.maxFrameBytes} bytes`);
    const msg = parseTwilioMessage(text);
    const next = this.transition(msg.event);
    if (msg.event !== 'connected') this.checkStreamSid(msg);
    const event = this.toEvent(msg);
    this.currentState = next;
    this.stats.framesReceived++;
    return [event];
  }

  /** Twilio never sends binary frames, so any is a protocol error (close 1003). */
  receiveBinary(byteLength: number): never {
    throw new ProtocolError('TMS_ERR_BINARY_FRAME', `${byteLength} bytes`);
  }

  /** Builds the text frame for a server command, stamped with this stream's streamSid. */
  send(cmd: SendCommand): string {
    const next = this.transition(`send-${cmd.type}`);
    const sid = this.sid as string; // set whenever the table allows a send
    let text: string;
    switch (cmd.type) {
      case 'media':
        text = serverMessage.media(sid, cmd.payload);
        this.stats.mediaSent++;
        this.stats.mediaBytesSent += cmd.payload.byteLength;
        break;
      case 'mark':
        text = serverMessage.mark(sid, cmd.name);
        this.stats.marksSent++;
        break;
      case 'clear':
        text = serverMessage.clear(sid);
        this.stats.clearsSent++;
        break;
    }
    this.currentState = next;
    this.stats.framesSent++;
    return text;
  }

  /**
   * Call when the start deadline passes (the caller owns the timer). Returns the error to close with
   * and moves to 'stopped' if no start came yet; returns undefined once the stream has started.
   */
  startTimeout(): ProtocolError | undefined {
    const previous = this.currentState;
    const next = nextState(previous, 'start-timeout');
    if (next === undefined) return undefined;
    this.currentState = next;
    return new ProtocolError('TMS_ERR_START_TIMEOUT', `still ${previous}`);
  }

  private transition(input: ProtocolInput): StreamState {
    const next = nextState(this.currentState, input);
    if (next === undefined) throw new ProtocolError('TMS_ERR_UNEXPECTED_EVENT', `${input} in state ${this.currentState}`);
    return next;
  }

  private checkStreamSid(msg: Exclude<TwilioMessage, { event: 'connected' }>): void {
    if (msg.event === 'start') {
      if (msg.start.streamSid !== msg.streamSid) {
        throw new ProtocolError('TMS_ERR_STREAM_SID_MISMATCH', `start.streamSid ${msg.start.streamSid} is not ${msg.streamSid}`);
      }
      return;
    }
    if (msg.streamSid !== this.sid) {
      throw new ProtocolError('TMS_ERR_STREAM_SID_MISMATCH', `${msg.streamSid} is not ${String(this.sid)}`);
    }
  }

  private toEvent(msg: TwilioMessage): StreamEvent {
    switch (msg.event) {
      case 'connected':
        return { type: 'connected', protocol: msg.protocol, version: msg.version };
      case 'start':
        this.sid = msg.streamSid;
        this.call = msg.start.callSid;
        this.account = msg.start.accountSid;
        return {
          type: 'start',
          sequenceNumber: Number(msg.sequenceNumber),
          streamSid: msg.streamSid,
          callSid: msg.start.callSid,
          accountSid: msg.start.accountSid,
          tracks: msg.start.tracks,
          mediaFormat: msg.start.mediaFormat,
          customParameters: msg.start.customParameters,
        };
      case 'media': {
        const payload = decodePayload(msg);
        this.stats.mediaReceived++;
        this.stats.mediaBytesReceived += payload.byteLength;
        return {
          type: 'media',
          sequenceNumber: Number(msg.sequenceNumber),
          payload,
          timestamp: Number(msg.media.timestamp),
          chunk: Number(msg.media.chunk),
          track: msg.media.track,
        };
      }
      case 'dtmf':
        this.stats.dtmfReceived++;
        return { type: 'dtmf', sequenceNumber: Number(msg.sequenceNumber), digit: msg.dtmf.digit, track: msg.dtmf.track };
      case 'mark':
        this.stats.marksReceived++;
        return { type: 'mark', sequenceNumber: Number(msg.sequenceNumber), name: msg.mark.name };
      case 'stop':
        return { type: 'stop', sequenceNumber: Number(msg.sequenceNumber), accountSid: msg.stop.accountSid, callSid: msg.stop.callSid };
    }
  }
}
