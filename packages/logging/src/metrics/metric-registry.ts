// A small Prometheus registry: labelled counters, histograms and gauges read at scrape time, rendered as text format 0.0.4.

export type Labels = Readonly<Record<string, string>>;

/** A family stops taking new label sets here, so a stray label value can never grow memory without bound. */
const MAX_SERIES = 500;

/** Label values escaped as the text format requires (backslash, double quote, newline). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(Math.round(n * 1000) / 1000);
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  lines(constLabels: Labels): string[];
}

/** Label sets in a stable key; the order of keys is the order the caller gives. */
const keyOf = (labels: Labels): string => JSON.stringify(labels);

export class Counter implements Family {
  readonly type = 'counter';
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else if (this.series.size < MAX_SERIES) this.series.set(key, { labels, value: by });
  }

  /** The sum over every label set that matches `where` (tests, pm2's panel). */
  total(where: Partial<Record<string, string>> = {}): number {
    let sum = 0;
    for (const s of this.series.values()) if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) sum += s.value;
    return sum;
  }

  lines(constLabels: Labels): string[] {
    return [...this.series.values()].map((s) => `${this.name}${formatLabels({ ...constLabels, ...s.labels })} ${formatValue(s.value)}`);
  }
}

/** A value read at scrape time; typed `counter` when it only grows (CPU seconds). */
export class Gauge implements Family {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number | Array<[Labels, number]>,
    readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}

  lines(constLabels: Labels): string[] {
    const v = this.read();
    const series: Array<[Labels, number]> = typeof v === 'number' ? [[{}, v]] : v;
    return series.map(([labels, value]) => `${this.name}${formatLabels({ ...constLabels, ...labels })} ${formatValue(value)}`);
  }
}

export class Histogram implements Family {
  readonly type = 'histogram';
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= MAX_SERIES) return;
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) (s.counts[i] as number)++;
    s.sum += value;
    s.count += 1;
  }

  count(where: Partial<Record<string, string>> = {}): number {
    let n = 0;
    for (const s of this.series.values()) if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) n += s.count;
    return n;
  }

  lines(constLabels: Labels): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      const base = { ...constLabels, ...s.labels };
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${formatLabels({ ...base, le: formatValue(b) })} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${formatLabels({ ...base, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${formatLabels(base)} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${formatLabels(base)} ${s.count}`);
    }
    return out;
  }
}

export class MetricRegistry {
  private readonly families: Family[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  gauge(name: string, help: string, read: () => number | Array<[Labels, number]>, type: 'gauge' | 'counter' = 'gauge'): Gauge {
    return this.add(new Gauge(name, help, read, type));
  }

  /** Text format 0.0.4; every sample carries `constLabels` (the service). A family with no samples yet still has HELP and TYPE. */
  render(constLabels: Labels = {}): string {
    const out: string[] = [];
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`, ...f.lines(constLabels));
    }
    return out.join('\n') + '\n';
  }

  private add<F extends Family>(f: F): F {
    this.families.push(f);
    return f;
  }
}
