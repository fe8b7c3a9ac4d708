// Decides when the caller is talking over the agent's audio long enough to interrupt it (barge-in).

import { AudioError, assertPositive } from './audio-error';

export interface BargeInOptions {
  /** Caller speech, while agent audio plays, that counts as barge-in. Default 200. */
  minSpeechMs?: number;
  /** Non-speech gaps up to this long do not restart the count (VADs flicker inside words). Default 60. */
  maxGapMs?: number;
}

export class BargeInDetector {
  private readonly minSpeechMs: number;
  private readonly maxGapMs: number;
  /** Length of the current speech span, bridged gaps included. */
  private speechMs = 0;
  private gapMs = 0;
  private fired = false;

  constructor(opts: BargeInOptions = {}) {
    this.minSpeechMs = opts.minSpeechMs ?? 200;
    this.maxGapMs = opts.maxGapMs ?? 60;
    for (const [name, value] of [['minSpeechMs', this.minSpeechMs], ['maxGapMs', this.maxGapMs]] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new AudioError('AUDIO_ERR_INVALID_ARGUMENT', `${name} must be a finite number ≥ 0, got ${String(value)}`);
      }
    }
  }

  /**
   * Returns true exactly once per stretch of agent playback, on the frame where caller speech reaches minSpeechMs.
   * When the agent is not playing, the count restarts and the detector re-arms.
   */
  push(isSpeech: boolean, agentPlaying: boolean, frameMs: number): boolean {
    assertPositive('frameMs', frameMs);
    if (!agentPlaying) {
      this.reset();
      return false;
    }
    if (this.fired) return false;
    if (isSpeech) {
      this.speechMs += this.gapMs + frameMs;
      this.gapMs = 0;
      if (this.speechMs >= this.minSpeechMs) {
        this.fired = true;
        return true;
      }
    } else if (this.speechMs > 0) {
      this.gapMs += frameMs;
      if (this.gapMs > this.maxGapMs) {
        this.speechMs = 0;
        this.gapMs = 0;
      }
    }
    return false;
  }

  /** Forgets speech so far and re-arms (e.g. after the agent's audio was cleared). */
  reset(): void {
    this.speechMs = 0;
    this.gapMs = 0;
    this.fired = false;
  }
}
