// The voice-activity-detector contract shared by the WebRTC and energy implementations.

import { AudioError } from './audio-error';

/** Classifies one frame of 8 kHz int16 PCM (10, 20 or 30 ms: 80, 160 or 240 samples) as speech or not. */
export interface Vad {
  isSpeech(frame: Int16Array): boolean;
  /** Frees resources; isSpeech throws VAD_ERR_CLOSED afterwards. Safe to call twice. */
  close(): void;
}

export const VAD_SAMPLE_RATE = 8000;
/** Frame lengths in samples that every Vad accepts: 10, 20 and 30 ms at 8 kHz. */
export const VAD_FRAME_SAMPLES: readonly number[] = [80, 160, 240];

export function assertVadFrame(frame: Int16Array): void {
  if (!VAD_FRAME_SAMPLES.includes(frame.length)) {
    throw new AudioError('VAD_ERR_FRAME_LENGTH', `a VAD frame is 80, 160 or 240 samples at 8 kHz, got ${frame.length}`);
  }
}

export function closedError(): AudioError {
  return new AudioError('VAD_ERR_CLOSED');
}
