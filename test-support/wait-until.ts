// Test helpers: await a condition instead of sleeping, bounded by a timeout that fails with what was awaited.
//
//   await waitUntil('the worker to exit', () => !alive(pid), 1000);
//   const code = await within('the stream to close', call.closed(), 3000);

/** Polls `probe` (sync or async) until it is true; rejects with `timed out after N ms waiting for <what>` otherwise. */
export async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 5000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves as `promise` does, or rejects naming `what` once `timeoutMs` has passed; the timer never outlives the wait. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
