// A process-wide tap on log calls: metrics count what the log timeline says (TURN, WS_START, PROVIDER_ERROR …), whatever LOG_LEVEL hides.

/** One log call as made: its level number (pino: 30 info, 40 warn, 50 error), its object, and the logger's bindings. */
export type LogTap = (level: number, fields: Readonly<Record<string, unknown>>, bindings: () => Record<string, unknown>) => void;

const taps = new Set<LogTap>();

/** Calls `tap` for every log call at info or above that has an object argument; returns the way to remove it. */
export function tapLogs(tap: LogTap): () => void {
  taps.add(tap);
  return () => void taps.delete(tap);
}

/** Used by createLogger's pino hook; a tap that throws never breaks the log call. */
export function emitToTaps(level: number, first: unknown, bindings: () => Record<string, unknown>): void {
  if (taps.size === 0 || typeof first !== 'object' || first === null || first instanceof Error) return;
  for (const tap of taps) {
    try {
      tap(level, first as Record<string, unknown>, bindings);
    } catch {
      // why: a metric must never cost a log line or a call.
    }
  }
}
