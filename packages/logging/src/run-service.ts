// Process lifecycle shared by the three services: tell pm2 we are ready, log crashes, drain on SIGINT/SIGTERM.
import type { Logger } from 'pino';
import { EVENTS } from './events';

let shuttingDown = false;

export const runService = {
  /** pm2's wait_ready waits for this message; outside pm2 there is no IPC channel and nothing is sent. */
  ready(): void {
    process.send?.('ready');
  },

  /**
   * On SIGINT/SIGTERM (pm2 sends SIGINT, then SIGKILL after kill_timeout) run `drain` once, then exit 0.
   * `graceMs` bounds the drain so we always exit before pm2 has to kill us.
   */
  onShutdown(logger: Logger, drain: () => Promise<void>, graceMs = 4000): void {
    const stop = (signal: NodeJS.Signals) => {
      if (shuttingDown) return;
      shuttingDown = true;
      const started = Date.now();
      logger.info({ event: EVENTS.SHUTDOWN, signal }, 'shutting down');
      const force = setTimeout(() => {
        logger.warn({ event: EVENTS.SHUTDOWN, ms: Date.now() - started }, 'drain took too long; exiting');
        process.exit(0);
      }, graceMs);
      force.unref();
      drain()
        .catch((err: Error) => logger.error({ event: EVENTS.SHUTDOWN, err: err.message }, 'drain failed'))
        .finally(() => {
          logger.info({ event: EVENTS.SHUTDOWN, ms: Date.now() - started }, 'stopped');
          process.exit(0);
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('uncaughtException', (err) => {
      logger.fatal({ event: EVENTS.UNCAUGHT_EXCEPTION, err: err.message, stack: err.stack }, 'uncaught exception; exiting for pm2 to restart');
      process.exit(1);
    });
    // why: one call's stray promise must not end every other call; it is logged with a stable code instead.
    process.on('unhandledRejection', (reason) => {
      const err = reason instanceof Error ? reason : new Error(String(reason));
      logger.error({ event: EVENTS.UNHANDLED_REJECTION, err: err.message, stack: err.stack }, 'unhandled rejection');
    });
  },
};
