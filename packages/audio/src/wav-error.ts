// Error class for WAV parsing and writing, with a stable code per failure.

export type WavErrorCode =
  | 'WAV_ERR_NOT_RIFF' // does not start with RIFF....WAVE
  | 'WAV_ERR_NO_FMT' // no fmt chunk
  | 'WAV_ERR_NO_DATA' // fmt chunk but no data chunk
  | 'WAV_ERR_UNSUPPORTED_FORMAT' // a format tag, bit depth or channel count we do not decode
  | 'WAV_ERR_TRUNCATED' // a header or chunk ends before its declared size
  | 'WAV_ERR_INVALID_ARGUMENT'; // encodeWav options that cannot describe a valid file

export class WavError extends Error {
  readonly code: WavErrorCode;

  constructor(code: WavErrorCode, message: string) {
    super(message);
    this.name = 'WavError';
    this.code = code;
  }
}
