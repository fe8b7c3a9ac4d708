// WAV in and out of a simulated call: any supported WAV → 8 kHz μ-law to send; received μ-law → a WAV file.
import { encodeWav, WavError, wavToMulaw8k } from '@tva/audio';
import { SimulatorError } from './simulator-error';

/** Decodes a WAV file (any rate, channels, PCM/float/μ-law/A-law) to the 8 kHz μ-law a caller sends. */
export function mulawFromWav(file: Uint8Array): Uint8Array {
  try {
    return wavToMulaw8k(file);
  } catch (err) {
    if (err instanceof WavError) throw new SimulatorError('SIM_ERR_BAD_WAV', `${err.code}: ${err.message}`);
    throw err;
  }
}

/** Wraps raw 8 kHz μ-law in a WAV header, as a file any player opens. */
export function mulawToWav(mulaw: Uint8Array): Uint8Array {
  return encodeWav(mulaw, { sampleRate: 8000, format: 'mulaw' });
}
