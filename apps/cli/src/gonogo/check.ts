// One gonogo check's outcome, and how results are printed.

export interface CheckResult {
  id: string;
  name: string;
  pass: boolean;
  /** What was seen (status line, body excerpt, timing). */
  detail: string;
  /** On FAIL: what usually causes it. */
  hint?: string;
}

export type Check = () => Promise<CheckResult>;

export function formatResult(r: CheckResult): string {
  const head = `${r.pass ? 'PASS' : 'FAIL'}  ${r.id} ${r.name} — ${r.detail}`;
  return r.pass || !r.hint ? head : `${head}\n      likely cause: ${r.hint}`;
}

export function excerpt(body: string, n = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n)}…` : flat;
}
