// The little SQL both drivers offer the store: run, all, a transaction, close — with `?` placeholders everywhere.

export type SqlValue = string | number | null;

export interface SqlExec {
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a query; numbers come back as numbers in both drivers (Postgres bigints are converted). */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
}

export interface SqlDriver extends SqlExec {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data is, without credentials. */
  readonly location: string;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` → `$1, $2, …` for Postgres (our SQL never has a `?` inside a string literal). */
export function toDollarParams(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
