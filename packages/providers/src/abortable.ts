// Awaiting and iterating under an AbortSignal, so a provider that ignores its signal cannot stall a turn.

/** Rejects with the signal's reason once it aborts, whatever `p` does. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Yields `iter`'s items until it ends or the signal aborts; an abort throws the signal's reason.
 * why: our providers end their streams quietly on abort, which would otherwise look like a complete reply.
 */
export async function* abortable<T>(iter: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const it = iter[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const r = await untilAborted(it.next(), signal);
      if (r.done) {
        finished = true;
        break;
      }
      yield r.value;
    }
  } finally {
    if (!finished) void it.return?.()?.catch(() => undefined);
  }
  if (signal.aborted) throw signal.reason;
}
