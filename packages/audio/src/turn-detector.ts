// Decides speech start and end of turn from a stream of per-frame VAD decisions, on its own clock (sum of frame lengths).

import { AudioError, assertPositive } from './audio-error';

export interface TurnDetectorOptions {
  /** Silence after speech that ends the turn. Default 700. */
  endSilenceMs?: number;
  /** A turn with less speech than this ends as 'discarded' (a cough, a click). Default 200. */
  minSpeechMs?: number;
  /** Consecutive speech needed before 'speech-start'. Default 60. */
  startSpeechMs?: number;
}

/**
 * `atMs` is the clock at the end of the frame that triggered the event.
 * `speechMs` spans from the first speech frame of the turn to the end of its last one (gaps included, trailing silence not).
 */
export type TurnEvent =
  | { type: 'speech-start'; atMs: number }
  | { type: 'end-of-turn'; atMs: number; speechMs: number }
  | { type: 'discarded'; atMs: number; speechMs: number };

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new AudioError('AUDIO_ERR_INVALID_ARGUMENT', `${name} must be a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}

export class TurnDetector {
  private readonly endSilenceMs: number;
  private readonly minSpeechMs: number;
  private readonly startSpeechMs: number;
  private clockMs = 0;
  private speaking = false;
  /** Start of the current run of consecutive speech frames, or null when the last frame was not speech. */
  private runStartMs: number | null = null;
  private turnStartMs = 0;
  private lastSpeechEndMs = 0;

  constructor(opts: TurnDetectorOptions = {}) {
    this.endSilenceMs = nonNegative('endSilenceMs', opts.endSilenceMs ?? 700);
    this.minSpeechMs = nonNegative('minSpeechMs', opts.minSpeechMs ?? 200);
    this.startSpeechMs = nonNegative('startSpeechMs', opts.startSpeechMs ?? 60);
  }

  /** True between 'speech-start' and the 'end-of-turn' or 'discarded' that closes it. */
  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Milliseconds pushed so far. */
  get nowMs(): number {
    return this.clockMs;
  }

  push(isSpeech: boolean, frameMs: number): TurnEvent | null {
    assertPositive('frameMs', frameMs);
    const frameStart = this.clockMs;
    this.clockMs += frameMs;
    const now = this.clockMs;

    if (isSpeech) {
      this.runStartMs ??= frameStart;
      this.lastSpeechEndMs = now;
      if (!this.speaking && now - this.runStartMs >= this.startSpeechMs) {
        this.speaking = true;
        this.turnStartMs = this.runStartMs;
        return { type: 'speech-start', atMs: now };
      }
      return null;
    }

    this.runStartMs = null;
    if (!this.speaking || now - this.lastSpeechEndMs < this.endSilenceMs) return null;
    this.speaking = false;
    const speechMs = this.lastSpeechEndMs - this.turnStartMs;
    return { type: speechMs >= this.minSpeechMs ? 'end-of-turn' : 'discarded', atMs: now, speechMs };
  }

  /** Forgets any speech in progress and restarts the clock at 0. */
  reset(): void {
    this.clockMs = 0;
    this.speaking = false;
    this.runStartMs = null;
    this.turnStartMs = 0;
    this.lastSpeechEndMs = 0;
  }
}
