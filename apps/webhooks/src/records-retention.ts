// The periodic retention purge: call records older than RECORDS_RETENTION_DAYS are deleted, at start and every hour.
import { EVENTS, type Logger } from '@tva/logging';
import { retentionCutoff, type RecordsStore } from '@tva/records';
import type { WebhookErrorCode } from './webhook-errors';

export interface RetentionOptions {
  retentionDays: number;
  logger: Logger;
  /** Default one hour: a day's records are gone within the hour they pass the limit. */
  intervalMs?: number;
  now?: () => number;
}

/** Runs one purge now, then every intervalMs; returns a stop function. A failed purge is logged and tried again next time. */
export function startRetentionPurge(store: RecordsStore, opts: RetentionOptions): { stop(): void; purgeNow(): Promise<number> } {
  let running: Promise<number> | undefined;
  const purgeNow = (): Promise<number> => {
    running ??= store
      .purge(retentionCutoff(opts.retentionDays, (opts.now ?? Date.now)()))
      .then(
        (n) => {
          if (n > 0) opts.logger.info({ event: EVENTS.RECORDS, purged: n, retentionDays: opts.retentionDays }, `purged ${n} call records past retention`);
          return n;
        },
        (err: Error) => {
          opts.logger.error({ event: EVENTS.RECORDS, code: 'WH_ERR_RECORDS_WRITE' satisfies WebhookErrorCode, err: err.message }, 'retention purge failed');
          return 0;
        },
      )
      .finally(() => (running = undefined));
    return running;
  };
  void purgeNow();
  const timer = setInterval(() => void purgeNow(), opts.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer), purgeNow };
}
