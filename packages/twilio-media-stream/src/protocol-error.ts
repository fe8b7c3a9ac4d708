// The error catalogue of the Twilio Media Streams protocol: one stable code per failure, with the WebSocket close code to send.
import { createErrorClass } from '@tva/errors';

/**
 * Every error the protocol can raise. `closeCode` is the WebSocket close code a server should use
 * when it closes the socket because of it (RFC 6455 §7.4.1).
 *
 * - TMS_ERR_INVALID_JSON: a text frame that is not JSON. 1007 (invalid payload data).
 * - TMS_ERR_NOT_OBJECT: JSON that is not an object (array, string, null…). 1007.
 * - TMS_ERR_UNKNOWN_EVENT: an `event` this protocol does not define. 1007.
 * - TMS_ERR_MISSING_FIELD: a required field is absent. 1007.
 * - TMS_ERR_BAD_FIELD: a field has the wrong type or form (e.g. a dtmf.digit that is not one key of 0-9 * # A-D), or
 *   (strict server messages) is not allowed. 1007.
 * - TMS_ERR_UNEXPECTED_EVENT: a valid message in the wrong state (media before start, start twice…). 1008.
 * - TMS_ERR_STREAM_SID_MISMATCH: a message names another stream than the one started. 1008.
 * - TMS_ERR_BINARY_FRAME: a binary frame; Twilio only sends and accepts text (its warning 31950). 1003.
 * - TMS_ERR_FRAME_TOO_LARGE: a frame above the configured limit. 1009.
 * - TMS_ERR_START_TIMEOUT: no `start` arrived in time. 1008.
 */
export const PROTOCOL_ERRORS = {
  TMS_ERR_INVALID_JSON: { closeCode: 1007, message: 'Frame is not valid JSON' },
  TMS_ERR_NOT_OBJECT: { closeCode: 1007, message: 'Message is not a JSON object' },
  TMS_ERR_UNKNOWN_EVENT: { closeCode: 1007, message: 'Unknown event' },
  TMS_ERR_MISSING_FIELD: { closeCode: 1007, message: 'Required field is missing' },
  TMS_ERR_BAD_FIELD: { closeCode: 1007, message: 'Field has a wrong type or value' },
  TMS_ERR_UNEXPECTED_EVENT: { closeCode: 1008, message: 'Event not allowed in the current state' },
  TMS_ERR_STREAM_SID_MISMATCH: { closeCode: 1008, message: 'streamSid does not match the started stream' },
  TMS_ERR_BINARY_FRAME: { closeCode: 1003, message: 'Binary frames are not part of the protocol' },
  TMS_ERR_FRAME_TOO_LARGE: { closeCode: 1009, message: 'Frame is too large' },
  TMS_ERR_START_TIMEOUT: { closeCode: 1008, message: 'No start message in time' },
} as const satisfies Record<string, { closeCode: number; message: string }>;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;

export class ProtocolError extends createErrorClass('ProtocolError', PROTOCOL_ERRORS) {
  /** Every protocol error has one: the socket is closed with it. */
  declare readonly closeCode: number;
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}
