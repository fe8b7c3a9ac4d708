// Sends audio frames in real time on a drift-free schedule: frame n goes at start + n × 20 ms, not "20 ms after the last one".
import { performance } from 'node:perf_hooks';
import { SimulatorError } from './simulator-error';

export class FramePacer {
  private nextAtMs = -Infinity;
  private chain: Promise<void> = Promise.resolve();
  private cancelled = false;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly frameMs = 20,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Sends `frames` one per frame period. Calls queue behind each other, so back-to-back calls stream
   * without a hole; after an idle spell the schedule restarts from now. Rejects with SIM_ERR_CLOSED once cancelled.
   */
  pace(frames: readonly Uint8Array[], send: (frame: Uint8Array) => void): Promise<void> {
    const run = this.chain.then(() => this.run(frames, send));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Stops all pacing now; pending and future calls reject with SIM_ERR_CLOSED. */
  cancel(): void {
    this.cancelled = true;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  private async run(frames: readonly Uint8Array[], send: (frame: Uint8Array) => void): Promise<void> {
    if (this.cancelled) throw new SimulatorError('SIM_ERR_CLOSED');
    this.nextAtMs = Math.max(this.nextAtMs, this.now());
    for (const frame of frames) {
      await this.sleepUntil(this.nextAtMs);
      if (this.cancelled) throw new SimulatorError('SIM_ERR_CLOSED');
      send(frame);
      this.nextAtMs += this.frameMs;
    }
  }

  private sleepUntil(atMs: number): Promise<void> {
    const wait = atMs - this.now();
    if (wait <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, wait);
      this.wakers.add(wake);
    });
  }
}
