// Shows a process's metrics in pm2's panel (`pm2 show <app>`, `pm2 monit`) through tx2, the probe library pm2 7 itself depends on.
import type { ServiceMetrics } from './service-metrics';

/** The part of tx2 1.0.5 used here (checked in node_modules/tx2/src/metrics.js): a value function polled every 990 ms. */
interface Tx2 {
  metric(opts: { name: string; unit?: string; value: () => number }): unknown;
}

/** True when pm2 runs this process: it sets pm_id and opens the IPC channel tx2 writes to. */
export function underPm2(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['pm_id'] !== undefined && typeof process.send === 'function';
}

/**
 * Registers every pm2 metric of `metrics`; does nothing outside pm2. why not at import: tx2 starts a 990 ms timer that
 * writes to process.send, and a test runner's IPC channel is no place for pm2's messages.
 */
export function exposeToPm2(metrics: ServiceMetrics): boolean {
  if (!underPm2()) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- tx2 ships no types; loaded only under pm2
  const tx2 = require('tx2') as Tx2;
  for (const m of metrics.pm2Metrics()) tx2.metric({ name: m.name, ...(m.unit ? { unit: m.unit } : {}), value: () => m.read() });
  return true;
}
