// The overview charts' numbers: per time bucket, calls, turns, turn latency p50/p95, fallbacks and errors.
import { RecordsError } from './records-errors';
import { HOUR_MS, type OverviewBucket } from './records-types';
import type { SqlExec } from './sql-driver';

export const MIN_BUCKET_MS = 60_000;
export const MAX_BUCKETS = 2_000;

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

export async function overview(db: SqlExec, from: number, to: number, bucketMs: number = HOUR_MS): Promise<OverviewBucket[]> {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) throw new RecordsError('RECORDS_ERR_BAD_QUERY', 'from and to must be times with from < to');
  if (!Number.isSafeInteger(bucketMs) || bucketMs < MIN_BUCKET_MS) throw new RecordsError('RECORDS_ERR_BAD_QUERY', `bucket must be a whole number of ms >= ${MIN_BUCKET_MS}`);
  const start = Math.floor(from / bucketMs) * bucketMs;
  const count = Math.ceil((to - start) / bucketMs);
  if (count > MAX_BUCKETS) throw new RecordsError('RECORDS_ERR_BAD_QUERY', `at most ${MAX_BUCKETS} buckets`);
  const buckets: OverviewBucket[] = Array.from({ length: count }, (_, i) => ({
    at: start + i * bucketMs,
    calls: 0,
    turns: 0,
    latencyP50: null,
    latencyP95: null,
    fallbacks: 0,
    providerErrors: 0,
    errors: 0,
  }));
  const at = (t: number): OverviewBucket | undefined => buckets[Math.floor((Number(t) - start) / bucketMs)];
  const range = [Math.floor(from), Math.ceil(to)];
  // why: bucketMs is a checked integer, inlined so that both dialects do integer division on BIGINTs.
  const b = `(%s / ${bucketMs}) * ${bucketMs}`;

  const calls = await db.all<{ b: number; n: number }>(`SELECT ${b.replace('%s', 'started_at')} AS b, COUNT(*) AS n FROM calls WHERE started_at >= ? AND started_at < ? GROUP BY 1`, range);
  for (const r of calls) {
    const bucket = at(r.b);
    if (bucket) bucket.calls = Number(r.n);
  }
  const events = await db.all<{ b: number; kind: string; n: number }>(
    `SELECT ${b.replace('%s', 'at')} AS b, kind, COUNT(*) AS n FROM events WHERE at >= ? AND at < ? AND kind IN ('fallback', 'provider-error', 'error') GROUP BY 1, 2`,
    range,
  );
  for (const r of events) {
    const bucket = at(r.b);
    if (!bucket) continue;
    if (r.kind === 'fallback') bucket.fallbacks = Number(r.n);
    else if (r.kind === 'provider-error') bucket.providerErrors = Number(r.n);
    else bucket.errors = Number(r.n);
  }
  const turns = await db.all<{ at: number; latency_ms: number | null }>('SELECT at, latency_ms FROM turns WHERE at >= ? AND at < ?', range);
  const latencies = new Map<OverviewBucket, number[]>();
  for (const r of turns) {
    const bucket = at(r.at);
    if (!bucket) continue;
    bucket.turns += 1;
    if (r.latency_ms == null) continue;
    const list = latencies.get(bucket) ?? [];
    list.push(Number(r.latency_ms));
    latencies.set(bucket, list);
  }
  for (const [bucket, list] of latencies) {
    list.sort((x, y) => x - y);
    bucket.latencyP50 = percentile(list, 50);
    bucket.latencyP95 = percentile(list, 95);
  }
  return buckets;
}
