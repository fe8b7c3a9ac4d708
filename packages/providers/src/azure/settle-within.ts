// Waits for a promise at most `ms`: SDK close/stop calls can hang when the server never answered.
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}

/** Wraps an SDK `(cb, err)` method as a promise that never rejects. */
export function sdkCall(invoke: (cb: () => void, err: (e: string) => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      invoke(() => resolve(), () => resolve());
    } catch {
      resolve(); // e.g. "object disposed" on a second close
    }
  });
}
