// Public API of @tva/twilio-media-stream: Twilio Media Streams messages, validation, serialization and state table (no I/O).
export { PROTOCOL_ERRORS, ProtocolError, isProtocolError, type ProtocolErrorCode } from './protocol-error';
export {
  TWILIO_EVENTS,
  SERVER_EVENTS,
  DTMF_DIGITS,
  isDtmfDigit,
  type DtmfDigit,
  type NumericString,
  type MediaFormat,
  type TwilioConnectedMessage,
  type TwilioStartMessage,
  type TwilioMediaMessage,
  type TwilioDtmfMessage,
  type TwilioMarkMessage,
  type TwilioStopMessage,
  type TwilioMessage,
  type TwilioEventName,
  type ServerMediaMessage,
  type ServerMarkMessage,
  type ServerClearMessage,
  type ServerMessage,
  type ServerEventName,
} from './messages';
export { parseTwilioMessage, decodePayload } from './parse-twilio-message';
export { parseServerMessage } from './parse-server-message';
export {
  twilioMessage,
  serverMessage,
  type StartOptions,
  type MediaOptions,
  type DtmfOptions,
  type MarkOptions,
  type StopOptions,
} from './twilio-message';
export {
  TRANSITIONS,
  STREAM_STATES,
  PROTOCOL_INPUTS,
  nextState,
  type StreamState,
  type ProtocolInput,
} from './transitions';
export type {
  StreamEvent,
  ConnectedEvent,
  StartEvent,
  MediaEvent,
  DtmfEvent,
  MarkEvent,
  StopEvent,
  SendCommand,
} from './stream-events';
export {
  MediaStreamProtocol,
  DEFAULT_MAX_FRAME_BYTES,
  type MediaStreamProtocolOptions,
  type ProtocolStats,
} from './media-stream-protocol';
