// Joins the scrape texts of several processes into one: each metric family once (HELP, TYPE, then every process's samples).

interface MergedFamily {
  help?: string;
  type?: string;
  samples: string[];
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** The metric name of a sample line (up to `{` or the first space). */
function sampleName(line: string): string {
  const end = line.search(/[{ ]/);
  return end === -1 ? line : line.slice(0, end);
}

/**
 * why: Prometheus refuses a scrape in which one family's TYPE appears twice or its samples are split up, so texts that
 * each describe the same families (one per service, told apart by a `service` label) cannot simply be concatenated.
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, MergedFamily>();
  const family = (name: string): MergedFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { samples: [] }));
    return f;
  };
  for (const text of texts) {
    let current: string | undefined;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (meta) {
        current = meta[2] as string;
        const f = family(current);
        if (meta[1] === 'HELP') f.help ??= line;
        else f.type ??= line;
        continue;
      }
      if (line.startsWith('#')) continue;
      const name = sampleName(line);
      const owner = current !== undefined && (name === current || HISTOGRAM_SUFFIXES.some((s) => name === current + s)) ? current : name;
      family(owner).samples.push(line);
    }
  }
  const out: string[] = [];
  for (const f of families.values()) {
    if (f.help) out.push(f.help);
    if (f.type) out.push(f.type);
    out.push(...f.samples);
  }
  return out.join('\n') + '\n';
}
