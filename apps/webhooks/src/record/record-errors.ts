// RECORD mode's error catalogue: every failure of a recorded turn is logged with one of these codes.

export const RECORD_ERRORS = {
  REC_ERR_RECORDING_URL: 'RecordingUrl missing, malformed, or not on a Twilio host (https://*.twilio.com) or loopback',
  REC_ERR_RECORDING_HTTP: 'the recording download answered an HTTP error',
  REC_ERR_RECORDING_TOO_LARGE: 'the recording is larger than the size cap',
  REC_ERR_RECORDING_TIMEOUT: 'the recording download did not finish in time',
  REC_ERR_RECORDING_NETWORK: 'the recording download failed on the network',
  REC_ERR_EMPTY_REPLY: 'the LLM answered neither text nor a tool call',
  REC_ERR_TURN_TIMEOUT: 'the turn ran past its overall deadline',
  REC_ERR_UNKNOWN_TURN: 'record_continue named a turn this process does not hold (expired, restarted, or another call)',
  REC_ERR_AUDIO_NOT_FOUND: 'no such audio: unknown id, or expired (GET /audio/{id}.wav)',
  REC_ERR_INTERNAL: 'an unexpected error in a RECORD turn',
} as const;

export type RecordErrorCode = keyof typeof RECORD_ERRORS;

export class RecordError extends Error {
  readonly code: RecordErrorCode;
  /** The HTTP status of a failed recording download, when there was one. */
  readonly status: number | undefined;
  constructor(code: RecordErrorCode, detail?: string, opts: { status?: number; cause?: unknown } = {}) {
    super(detail ? `${RECORD_ERRORS[code]}: ${detail}` : RECORD_ERRORS[code], opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RecordError';
    this.code = code;
    this.status = opts.status;
  }
}
