// Builds frames exactly as Twilio sends them (and as a server sends them back); doubles as the test fixture builder.
import type { DtmfDigit, ServerMessage, TwilioMessage } from './messages';

type Num = number | string;

export interface StartOptions {
  streamSid: string;
  callSid: string;
  accountSid: string;
  customParameters?: Record<string, string>;
  sequenceNumber?: Num;
  tracks?: string[];
}

export interface MediaOptions {
  streamSid: string;
  sequenceNumber: Num;
  chunk: Num;
  timestamp: Num;
  payload: Uint8Array;
  track?: string;
}

export interface DtmfOptions {
  streamSid: string;
  sequenceNumber: Num;
  /** Any string, so that tests can build the bad digits the parser must refuse. */
  digit: string;
  track?: string;
}

export interface MarkOptions {
  streamSid: string;
  sequenceNumber: Num;
  name: string;
}

export interface StopOptions {
  streamSid: string;
  sequenceNumber: Num;
  accountSid: string;
  callSid: string;
}

function base64(bytes: Uint8Array): string {
  // why: the console's softphone builds these frames in the browser, where there is no Buffer (btoa takes "binary" strings).
  if (typeof Buffer === 'undefined') {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function encode(msg: TwilioMessage | ServerMessage): string {
  return JSON.stringify(msg);
}

/** Twilio → server frames. Numbers are written as strings, as Twilio does. */
export const twilioMessage = {
  connected(): string {
    return encode({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  },
  start(o: StartOptions): string {
    return encode({
      event: 'start',
      sequenceNumber: String(o.sequenceNumber ?? 1),
      streamSid: o.streamSid,
      start: {
        accountSid: o.accountSid,
        streamSid: o.streamSid,
        callSid: o.callSid,
        tracks: o.tracks ?? ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: o.customParameters ?? {},
      },
    });
  },
  media(o: MediaOptions): string {
    return encode({
      event: 'media',
      sequenceNumber: String(o.sequenceNumber),
      streamSid: o.streamSid,
      media: { track: o.track ?? 'inbound', chunk: String(o.chunk), timestamp: String(o.timestamp), payload: base64(o.payload) },
    });
  },
  dtmf(o: DtmfOptions): string {
    return encode({
      event: 'dtmf',
      sequenceNumber: String(o.sequenceNumber),
      streamSid: o.streamSid,
      dtmf: { track: o.track ?? 'inbound_track', digit: o.digit as DtmfDigit },
    });
  },
  mark(o: MarkOptions): string {
    return encode({ event: 'mark', sequenceNumber: String(o.sequenceNumber), streamSid: o.streamSid, mark: { name: o.name } });
  },
  stop(o: StopOptions): string {
    return encode({
      event: 'stop',
      sequenceNumber: String(o.sequenceNumber),
      streamSid: o.streamSid,
      stop: { accountSid: o.accountSid, callSid: o.callSid },
    });
  },
};

/** Server → Twilio frames, with exactly the fields Twilio accepts. */
export const serverMessage = {
  media(streamSid: string, payload: Uint8Array): string {
    return encode({ event: 'media', streamSid, media: { payload: base64(payload) } });
  },
  mark(streamSid: string, name: string): string {
    return encode({ event: 'mark', streamSid, mark: { name } });
  },
  clear(streamSid: string): string {
    return encode({ event: 'clear', streamSid });
  },
};
