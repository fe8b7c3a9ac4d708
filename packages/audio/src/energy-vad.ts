// A dependency-free VAD: a frame is speech when its RMS level reaches a threshold in dBFS.

import { AudioError } from './audio-error';
import { assertVadFrame, closedError, type Vad } from './vad';

export interface EnergyVadOptions {
  /** RMS level, in dB relative to int16 full scale, at or above which a frame counts as speech. Default -40. */
  thresholdDbfs?: number;
}

/** RMS level of int16 samples in dBFS (a full-scale square wave is 0; digital silence is -Infinity). */
export function rmsDbfs(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += (frame[i] as number) ** 2;
  if (frame.length === 0 || sum === 0) return -Infinity;
  return 10 * Math.log10(sum / frame.length / (32768 * 32768));
}

export function createEnergyVad(opts: EnergyVadOptions = {}): Vad {
  const threshold = opts.thresholdDbfs ?? -40;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new AudioError('AUDIO_ERR_INVALID_ARGUMENT', `thresholdDbfs must be a number, got ${String(threshold)}`);
  }
  let closed = false;
  return {
    isSpeech(frame: Int16Array): boolean {
      if (closed) throw closedError();
      assertVadFrame(frame);
      return rmsDbfs(frame) >= threshold;
    },
    close(): void {
      closed = true;
    },
  };
}
