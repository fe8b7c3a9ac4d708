// RECORD mode's error catalogue: every failure of a recorded turn is logged with one of these codes.
import { createErrorClass } from '@tva/errors';

export const RECORD_ERRORS = {
  REC_ERR_RECORDING_URL: { message: 'RecordingUrl missing, malformed, or not on a Twilio host (https://*.twilio.com) or loopback' },
  REC_ERR_RECORDING_HTTP: { message: 'the recording download answered an HTTP error' },
  REC_ERR_RECORDING_TOO_LARGE: { message: 'the recording is larger than the size cap' },
  REC_ERR_RECORDING_TIMEOUT: { message: 'the recording download did not finish in time' },
  REC_ERR_RECORDING_NETWORK: { message: 'the recording download failed on the network' },
  REC_ERR_TURN_TIMEOUT: { message: 'the turn ran past its overall deadline' },
  REC_ERR_UNKNOWN_TURN: { message: 'record_continue named a turn this process does not hold (expired, restarted, or another call)' },
  REC_ERR_AUDIO_NOT_FOUND: { status: 404, message: 'no such audio: unknown id, or expired (GET /audio/{id}.wav)' },
  REC_ERR_INTERNAL: { message: 'an unexpected error in a RECORD turn' },
} as const;

export type RecordErrorCode = keyof typeof RECORD_ERRORS;

export class RecordError extends createErrorClass('RecordError', RECORD_ERRORS) {
  /** The HTTP status a failed recording download answered with, when there was one. */
  readonly upstreamStatus: number | undefined;
  constructor(code: RecordErrorCode, detail?: string, opts: { upstreamStatus?: number; cause?: unknown } = {}) {
    super(code, detail, { cause: opts.cause });
    this.upstreamStatus = opts.upstreamStatus;
  }
}
