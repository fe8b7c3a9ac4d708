// Runs health-poller in its own process; stop() returns every latency and any failure, with percentiles.
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface HealthStats {
  latencies: number[];
  failures: string[];
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

export function pollHealth(url: string, everyMs = 20): { stop(): Promise<HealthStats> } {
  // why: from src/ (tests) and dist/ (bench) alike, run the compiled poller.
  const script = path.resolve(__dirname, '..', '..', 'dist', 'stack', 'health-poller.js');
  const child = spawn(process.execPath, [script, url, String(everyMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    async stop() {
      child.stdin.end();
      await exited;
      const { latencies, failures } = JSON.parse(out || '{"latencies":[],"failures":["poller printed nothing"]}') as { latencies: number[]; failures: string[] };
      const sorted = [...latencies].sort((a, b) => a - b);
      return { latencies, failures, n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN };
    },
  };
}
