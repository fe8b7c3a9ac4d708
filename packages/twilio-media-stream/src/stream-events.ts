// The events MediaStreamProtocol.receive returns, and the commands MediaStreamProtocol.send accepts.
import type { DtmfDigit, MediaFormat } from './messages';

export interface ConnectedEvent {
  type: 'connected';
  protocol: string;
  version: string;
}

export interface StartEvent {
  type: 'start';
  sequenceNumber: number;
  streamSid: string;
  callSid: string;
  accountSid: string;
  tracks: string[];
  mediaFormat: MediaFormat;
  customParameters: Record<string, string>;
}

export interface MediaEvent {
  type: 'media';
  sequenceNumber: number;
  /** Raw μ-law bytes. */
  payload: Buffer;
  /** Milliseconds since the stream began, as Twilio reports it. */
  timestamp: number;
  chunk: number;
  track: string;
}

export interface DtmfEvent {
  type: 'dtmf';
  sequenceNumber: number;
  digit: DtmfDigit;
  track: string;
}

export interface MarkEvent {
  type: 'mark';
  sequenceNumber: number;
  name: string;
}

export interface StopEvent {
  type: 'stop';
  sequenceNumber: number;
  accountSid: string;
  callSid: string;
}

export type StreamEvent = ConnectedEvent | StartEvent | MediaEvent | DtmfEvent | MarkEvent | StopEvent;

export type SendCommand = { type: 'media'; payload: Uint8Array } | { type: 'mark'; name: string } | { type: 'clear' };
