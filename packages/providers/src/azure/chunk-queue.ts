// A one-consumer async queue: a producer pushes audio chunks from SDK callbacks, a generator pulls them.
export class ChunkQueue<T> {
  private items: T[] = [];
  private finished = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  get isFinished(): boolean {
    return this.finished;
  }

  push(item: T): void {
    if (this.finished) return;
    this.items.push(item);
    this.notify();
  }

  /** No more items. `discard` drops the ones not yet pulled (an abort). */
  end(discard = false): void {
    if (discard) this.items = [];
    this.finished = true;
    this.notify();
  }

  /** Items already queued are still delivered, then `next()` throws. */
  fail(error: unknown): void {
    if (this.finished) return;
    this.failure = { error };
    this.finished = true;
    this.notify();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) return { value: item, done: false };
      if (this.failure) throw this.failure.error;
      if (this.finished) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
