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

export interface TwilioDtmfMessage {
  event: 'dtmf';
  sequenceNumber: NumericString;
  streamSid: string;
  dtmf: { track: string; digit: string };
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
