// Parses and validates one text frame from Twilio; unknown extra fields are tolerated, required ones are checked.
import {
  base64Field,
  nonEmptyStringField,
  numberField,
  numericStringField,
  objectField,
  optionalStringRecordField,
  parseJsonObject,
  stringArrayField,
  stringField,
  type JsonObject,
} from './json-fields';
import { isDtmfDigit, type DtmfDigit, type ServerMediaMessage, type TwilioMediaMessage, type TwilioMessage } from './messages';
import { ProtocolError } from './protocol-error';

type Parser = (obj: JsonObject) => TwilioMessage;

/** One keypad key; the value itself stays out of the error (it may be 20 KB of anything). */
function dtmfDigitField(dtmf: JsonObject): DtmfDigit {
  const digit = nonEmptyStringField(dtmf, 'digit', 'dtmf');
  if (!isDtmfDigit(digit)) throw new ProtocolError('TMS_ERR_BAD_FIELD', `dtmf.digit must be one of 0-9 * # A-D (got a ${digit.length}-character value)`);
  return digit;
}

function header(obj: JsonObject): { sequenceNumber: string; streamSid: string } {
  return { sequenceNumber: numericStringField(obj, 'sequenceNumber'), streamSid: stringField(obj, 'streamSid') };
}

const PARSERS: Record<TwilioMessage['event'], Parser> = {
  connected: (obj) => ({
    event: 'connected',
    protocol: stringField(obj, 'protocol'),
    version: stringField(obj, 'version'),
  }),
  start: (obj) => {
    const h = header(obj);
    const start = objectField(obj, 'start');
    const format = objectField(start, 'mediaFormat', 'start');
    return {
      event: 'start',
      ...h,
      start: {
        accountSid: stringField(start, 'accountSid', 'start'),
        streamSid: stringField(start, 'streamSid', 'start'),
        callSid: stringField(start, 'callSid', 'start'),
        tracks: stringArrayField(start, 'tracks', 'start'),
        mediaFormat: {
          encoding: stringField(format, 'encoding', 'start.mediaFormat'),
          sampleRate: numberField(format, 'sampleRate', 'start.mediaFormat'),
          channels: numberField(format, 'channels', 'start.mediaFormat'),
        },
        // Lenient: the docs always show it, but an absent object carries the same meaning as {}.
        customParameters: optionalStringRecordField(start, 'customParameters', 'start'),
      },
    };
  },
  media: (obj) => {
    const h = header(obj);
    const media = objectField(obj, 'media');
    return {
      event: 'media',
      ...h,
      media: {
        track: stringField(media, 'track', 'media'),
        chunk: numericStringField(media, 'chunk', 'media'),
        timestamp: numericStringField(media, 'timestamp', 'media'),
        payload: base64Field(media, 'payload', 'media'),
      },
    };
  },
  dtmf: (obj) => {
    const h = header(obj);
    const dtmf = objectField(obj, 'dtmf');
    return {
      event: 'dtmf',
      ...h,
      dtmf: { track: stringField(dtmf, 'track', 'dtmf'), digit: dtmfDigitField(dtmf) },
    };
  },
  mark: (obj) => {
    const h = header(obj);
    const mark = objectField(obj, 'mark');
    return { event: 'mark', ...h, mark: { name: stringField(mark, 'name', 'mark') } };
  },
  stop: (obj) => {
    const h = header(obj);
    const stop = objectField(obj, 'stop');
    return {
      event: 'stop',
      ...h,
      stop: { accountSid: stringField(stop, 'accountSid', 'stop'), callSid: stringField(stop, 'callSid', 'stop') },
    };
  },
};

/** Reads the `event` name of a parsed object, or throws. */
export function eventName(obj: JsonObject): string {
  return stringField(obj, 'event');
}

/**
 * Parses one text frame as Twilio sends it. Throws ProtocolError on invalid JSON, a non-object,
 * an unknown event, or a missing or mistyped required field. The result holds only the known fields.
 */
export function parseTwilioMessage(text: string): TwilioMessage {
  const obj = parseJsonObject(text);
  const event = eventName(obj);
  if (!Object.prototype.hasOwnProperty.call(PARSERS, event)) throw new ProtocolError('TMS_ERR_UNKNOWN_EVENT', event);
  return PARSERS[event as TwilioMessage['event']](obj);
}

/** The raw μ-law bytes of a media message (either direction). */
export function decodePayload(msg: TwilioMediaMessage | ServerMediaMessage): Buffer {
  return Buffer.from(msg.media.payload, 'base64');
}
