// Strict validation of what a server sends to Twilio, modelling Twilio's warning 31951 (and 31950 for binary).
import { base64Field, objectField, parseJsonObject, rejectExtraFields, stringField } from './json-fields';
import { eventName } from './parse-twilio-message';
import type { ServerMessage } from './messages';
import { ProtocolError } from './protocol-error';

/**
 * Parses a frame a server sent to Twilio. Only media, mark and clear exist; every required field must be
 * present and NO other field may be (Twilio rejects an extra field). When `expectedStreamSid` is given,
 * a different streamSid throws TMS_ERR_STREAM_SID_MISMATCH.
 */
export function parseServerMessage(text: string, expectedStreamSid?: string): ServerMessage {
  const obj = parseJsonObject(text);
  const event = eventName(obj);
  let msg: ServerMessage;
  switch (event) {
    case 'media': {
      rejectExtraFields(obj, ['event', 'streamSid', 'media']);
      const streamSid = stringField(obj, 'streamSid');
      const media = objectField(obj, 'media');
      rejectExtraFields(media, ['payload'], 'media');
      msg = { event, streamSid, media: { payload: base64Field(media, 'payload', 'media') } };
      break;
    }
    case 'mark': {
      rejectExtraFields(obj, ['event', 'streamSid', 'mark']);
      const streamSid = stringField(obj, 'streamSid');
      const mark = objectField(obj, 'mark');
      rejectExtraFields(mark, ['name'], 'mark');
      msg = { event, streamSid, mark: { name: stringField(mark, 'name', 'mark') } };
      break;
    }
    case 'clear':
      rejectExtraFields(obj, ['event', 'streamSid']);
      msg = { event, streamSid: stringField(obj, 'streamSid') };
      break;
    default:
      throw new ProtocolError('TMS_ERR_UNKNOWN_EVENT', event);
  }
  if (expectedStreamSid !== undefined && msg.streamSid !== expectedStreamSid) {
    throw new ProtocolError('TMS_ERR_STREAM_SID_MISMATCH', `${msg.streamSid} is not ${expectedStreamSid}`);
  }
  return msg;
}
