// Percentiles and small formatting helpers for the benchmark report.

export function quantiles(values: readonly number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] ?? NaN };
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

export function qRow(label: string, values: readonly number[]): string {
  const q = quantiles(values);
  return `| ${label} | ${q.n} | ${fmt(q.p50)} | ${fmt(q.p95)} | ${fmt(q.p99)} | ${fmt(q.max)} |`;
}

import os from 'node:os';

/** Busy and total CPU time across all cores so far (ms); two samples give machine-wide utilisation. */
export function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

export function busyPercent(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return b.total === a.total ? NaN : (100 * (b.busy - a.busy)) / (b.total - a.total);
}
