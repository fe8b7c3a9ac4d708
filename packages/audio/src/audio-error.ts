// Error class for invalid arguments and VAD misuse in @tva/audio, with stable codes to match on.

export type AudioErrorCode =
  | 'AUDIO_ERR_INVALID_ARGUMENT'
  | 'VAD_ERR_FRAME_LENGTH'
  | 'VAD_ERR_CLOSED'
  | 'VAD_ERR_INIT';

export class AudioError extends Error {
  readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AudioError';
    this.code = code;
  }
}

/** Throws AUDIO_ERR_INVALID_ARGUMENT unless `value` is a finite number > 0 (and an integer when asked). */
export function assertPositive(name: string, value: number, integer = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new AudioError(
      'AUDIO_ERR_INVALID_ARGUMENT',
      `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`,
    );
  }
}
