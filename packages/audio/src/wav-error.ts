// Error class for WAV parsing and writing, with a stable code per failure (catalogue in WAV_ERRORS).
import { createErrorClass } from '@tva/errors';

export const WAV_ERRORS = {
  WAV_ERR_NOT_RIFF: { message: 'not a WAV file (does not start with RIFF....WAVE)' },
  WAV_ERR_NO_FMT: { message: 'WAV file has no fmt chunk' },
  WAV_ERR_NO_DATA: { message: 'WAV file has a fmt chunk but no data chunk' },
  WAV_ERR_UNSUPPORTED_FORMAT: { message: 'WAV format not supported (format tag, bit depth or channel count)' },
  WAV_ERR_TRUNCATED: { message: 'WAV file is truncated (a header or chunk ends before its declared size)' },
  WAV_ERR_INVALID_ARGUMENT: { message: 'invalid argument: encodeWav options that cannot describe a valid file, or a push to an ended WAV stream' },
} as const;

export type WavErrorCode = keyof typeof WAV_ERRORS;

export class WavError extends createErrorClass('WavError', WAV_ERRORS) {}
