// The media worker's error catalogue: every code its log lines and refusals carry is here or in a catalogue it names.

export const MEDIA_ERRORS = {
  // upgrade refusals: answered with the status, logged at warn (WS_REJECT)
  MEDIA_ERR_PATH: { status: 404, message: 'WebSocket upgrade on a path other than /ws/twilio-media and /ws/softphone' },
  MEDIA_ERR_DRAINING: { status: 503, message: 'the media worker is shutting down: no new streams' },
  MEDIA_ERR_TOO_MANY_CALLS: { status: 503, closeCode: 1013, message: 'MAX_CALLS streams are live: the upgrade is refused (503), or a start that raced past that check is closed (1013)' },
  MEDIA_ERR_BAD_HOST: { status: 400, message: 'Host / X-Forwarded-Host / X-Forwarded-Proto cannot form the URL the signature covers (set PUBLIC_BASE_URL)' },
  MEDIA_ERR_SIGNATURE: { status: 403, message: 'the upgrade\'s X-Twilio-Signature is missing or does not match (TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL)' },
  // start refusals (besides CALL_TOKEN_*): the stream is closed with the close code, logged at warn (WS_REJECT)
  MEDIA_ERR_CALL_ALREADY_LIVE: { closeCode: 1008, message: 'start names a call that already has a live stream' },
  MEDIA_ERR_UNSTARTED_EVICTED: { closeCode: 1008, message: 'too many sockets had not sent start: the oldest was closed to let a new one in' },
  // our own faults: logged at error
  MEDIA_ERR_START_CHECK: { closeCode: 1011, message: 'the call token could not be checked (used-token store failed): the stream is refused' },
  MEDIA_ERR_SESSION: { closeCode: 1011, message: 'a call session failed (a bug): only that stream is closed' },
  MEDIA_ERR_TURN: { message: 'a voice turn failed unexpectedly' },
  MEDIA_ERR_PHRASE: { message: 'a fixed phrase could not be played' },
  MEDIA_ERR_NO_TTS: { message: 'no TTS provider could speak a fixed phrase: a tone is played instead' },
  MEDIA_ERR_USED_TOKENS: { message: 'the used-token file under DATA_DIR cannot be opened (the worker exits) or compacted' },
  // the caller's side, and the internal notices to webhooks: logged at warn
  MEDIA_ERR_DTMF_DIGIT: { message: 'a DTMF digit the agent does not know: ignored' },
  MEDIA_ERR_OUTCOME_REFUSED: { message: 'webhooks answered an internal notice with another status than 204' },
  MEDIA_ERR_FEED_DROPPED: { message: 'the call feed\'s queue to webhooks was full (webhooks down or slow): notices for records and live calls were dropped' },
  MEDIA_ERR_OUTCOME_NOTIFY: { message: 'webhooks could not be reached with an internal notice (down, or no answer within 1 s)' },
  MEDIA_ERR_SOCKET: { message: 'a socket error during the upgrade (Node\'s code in `cause`, e.g. ECONNRESET)' },
  MEDIA_ERR_BAD_REQUEST: { message: 'a malformed HTTP request on the media port (Node\'s code in `cause`, e.g. HPE_INVALID_METHOD)' },
  MEDIA_ERR_WS: { message: 'a WebSocket error without a code of ws\'s (`cause` has whatever code it had)' },
  WS_ERR_PONG_TIMEOUT: { message: 'the peer did not answer a ping within PING_INTERVAL_MS: the socket is cut' },
} as const;

/**
 * The `ws` library's own codes for a peer's bad framing, logged as they are (WS_ERROR, warn); ws closes the socket
 * itself with the close code shown.
 */
export const WS_ERRORS = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: { closeCode: 1009, message: 'a message larger than WS_MAX_PAYLOAD' },
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: { closeCode: 1009, message: 'a frame length above 2^53 - 1' },
  WS_ERR_TOO_MANY_BUFFERED_PARTS: { closeCode: 1008, message: 'a message in too many fragments' },
  WS_ERR_INVALID_UTF8: { closeCode: 1007, message: 'a text frame or close reason that is not UTF-8' },
  WS_ERR_INVALID_CLOSE_CODE: { closeCode: 1002, message: 'a close frame with an invalid status code' },
  WS_ERR_INVALID_OPCODE: { closeCode: 1002, message: 'a frame with an unknown opcode' },
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: { closeCode: 1002, message: 'a control frame with more than 125 bytes' },
  WS_ERR_EXPECTED_FIN: { closeCode: 1002, message: 'a fragmented control frame' },
  WS_ERR_EXPECTED_MASK: { closeCode: 1002, message: 'an unmasked frame from a client' },
  WS_ERR_UNEXPECTED_MASK: { closeCode: 1002, message: 'a masked frame where none is allowed' },
  WS_ERR_UNEXPECTED_RSV_1: { closeCode: 1002, message: 'RSV1 set without permessage-deflate' },
  WS_ERR_UNEXPECTED_RSV_2_3: { closeCode: 1002, message: 'RSV2 or RSV3 set' },
} as const;

export type MediaErrorCode = keyof typeof MEDIA_ERRORS;
export type WsErrorCode = keyof typeof WS_ERRORS;

/** A `ws` error's code as logged: ws's own codes as they are, anything else MEDIA_ERR_WS (with the original as `cause`). */
export function wsErrorCode(code: string | undefined): { code: WsErrorCode | 'MEDIA_ERR_WS'; cause?: string } {
  if (code !== undefined && Object.prototype.hasOwnProperty.call(WS_ERRORS, code)) return { code: code as WsErrorCode };
  return code === undefined ? { code: 'MEDIA_ERR_WS' } : { code: 'MEDIA_ERR_WS', cause: code };
}
