// Types of every message on a Twilio Media Stream: what Twilio sends and what a server may send back.

/** Numbers travel as strings on this protocol (sequenceNumber, chunk, timestamp). */
export type NumericString = string;

export interface MediaFormat {
  encoding: string;
  sampleRate: number;
  channels: number;
}

export interface TwilioConnectedMessage {
  event: 'connected';
  protocol: string;
  version: string;
}

export interface TwilioStartMessage {
  event: 'start';
  sequenceNumber: NumericString;
  streamSid: string;
  start: {
    accountSid: string;
    streamSid: string;
    callSid: string;
    tracks: string[];
    mediaFormat: MediaFormat;
    customParameters: Record<string, string>;
  };
}

export interface TwilioMediaMessage {
  event: 'media';
  sequenceNumber: NumericString;
  streamSid: string;
  media: {
    track: string;
    chunk: NumericString;
    timestamp: NumericString;
    /** Base64 of raw 8 kHz μ-law; see decodePayload. */
    payload: string;
  };
}

/** The keys of a phone keypad, as Twilio names them in `dtmf.digit` (A-D are the fourth column some keypads have). */
export const DTMF_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'] as const;

export type DtmfDigit = (typeof DTMF_DIGITS)[number];

export function isDtmfDigit(value: string): value is DtmfDigit {
  return (DTMF_DIGITS as readonly string[]).includes(value);
}

export interface TwilioDtmfMessage {
  event: 'dtmf';
  sequenceNumber: NumericString;
  streamSid: string;
  /** Exactly one key: anything else is TMS_ERR_BAD_FIELD (a 20 KB "digit" must never reach the agent). */
  dtmf: { track: string; digit: DtmfDigit };
}

export interface TwilioMarkMessage {
  event: 'mark';
  sequenceNumber: NumericString;
  streamSid: string;
  mark: { name: string };
}

export interface TwilioStopMessage {
  event: 'stop';
  sequenceNumber: NumericString;
  streamSid: string;
  stop: { accountSid: string; callSid: string };
}

export type TwilioMessage =
  | TwilioConnectedMessage
  | TwilioStartMessage
  | TwilioMediaMessage
  | TwilioDtmfMessage
  | TwilioMarkMessage
  | TwilioStopMessage;

export type TwilioEventName = TwilioMessage['event'];

export const TWILIO_EVENTS: readonly TwilioEventName[] = ['connected', 'start', 'media', 'dtmf', 'mark', 'stop'];

export interface ServerMediaMessage {
  event: 'media';
  streamSid: string;
  media: { payload: string };
}

export interface ServerMarkMessage {
  event: 'mark';
  streamSid: string;
  mark: { name: string };
}

export interface ServerClearMessage {
  event: 'clear';
  streamSid: string;
}

export type ServerMessage = ServerMediaMessage | ServerMarkMessage | ServerClearMessage;

export type ServerEventName = ServerMessage['event'];

export const SERVER_EVENTS: readonly ServerEventName[] = ['media', 'mark', 'clear'];
