// Public API of @tva/audio: μ-law, WAV, resampling, 20 ms framing, VAD, turn and barge-in decisions (no I/O).

export { AUDIO_ERRORS, AudioError, type AudioErrorCode } from './audio-error';
export {
  MULAW_DECODE_TABLE,
  MULAW_ENCODE_TABLE,
  mulawToLinear,
  linearToMulaw,
  decodeMulaw,
  encodeMulaw,
} from './mulaw';
export { ALAW_DECODE_TABLE, alawToLinear, decodeAlaw } from './alaw';
export { pcm16FromBytes, pcm16ToBytes } from './pcm16';
export { resample, resampledLength } from './resample';
export { WAV_ERRORS, WavError, type WavErrorCode } from './wav-error';
export { decodeWav, type DecodedWav, type WavFormat } from './wav-decode';
export { encodeWav, type EncodeWavOptions } from './wav-encode';
export { wavToMulaw8k } from './wav-to-mulaw';
export { SAMPLE_RATE, FRAME_MS, FRAME_BYTES, MULAW_SILENCE_BYTE, mulawSilence, splitFrames } from './framing';
export { Rechunker } from './rechunker';
export { VAD_SAMPLE_RATE, VAD_FRAME_SAMPLES, type Vad } from './vad';
export { createWebRtcVad, type WebRtcVadOptions } from './webrtc-vad';
export { createEnergyVad, rmsDbfs, type EnergyVadOptions } from './energy-vad';
export { TurnDetector, type TurnDetectorOptions, type TurnEvent } from './turn-detector';
export { BargeInDetector, type BargeInOptions } from './barge-in-detector';
