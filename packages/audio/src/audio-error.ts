// Error class for invalid arguments and VAD misuse in @tva/audio, with stable codes to match on (catalogue in AUDIO_ERRORS).
import { createErrorClass } from '@tva/errors';

export const AUDIO_ERRORS = {
  AUDIO_ERR_INVALID_ARGUMENT: { message: 'invalid argument' },
  VAD_ERR_FRAME_LENGTH: { message: 'VAD frame has a length the VAD does not take' },
  VAD_ERR_CLOSED: { message: 'this VAD has been closed' },
  VAD_ERR_INIT: { message: 'WebRTC VAD could not be created' },
} as const;

export type AudioErrorCode = keyof typeof AUDIO_ERRORS;

export class AudioError extends createErrorClass('AudioError', AUDIO_ERRORS) {}

/** Throws AUDIO_ERR_INVALID_ARGUMENT unless `value` is a finite number > 0 (and an integer when asked). */
export function assertPositive(name: string, value: number, integer = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new AudioError(
      'AUDIO_ERR_INVALID_ARGUMENT',
      `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`,
    );
  }
}
