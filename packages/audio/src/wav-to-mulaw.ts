// Converts any supported WAV file to the bytes Twilio plays: mono 8 kHz μ-law, no header.

import { SAMPLE_RATE } from './framing';
import { encodeMulaw } from './mulaw';
import { resample } from './resample';
import { decodeWav } from './wav-decode';

export function wavToMulaw8k(buf: Uint8Array): Uint8Array {
  const wav = decodeWav(buf);
  return encodeMulaw(resample(wav.samples, wav.sampleRate, SAMPLE_RATE));
}
