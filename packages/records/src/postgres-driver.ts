// The Postgres driver: a small pg Pool for DATABASE_URL; `?` placeholders become `$n`, bigints come back as numbers.
import pg from 'pg';
import { RecordsError } from './records-errors';
import { toDollarParams, type SqlDriver, type SqlExec, type SqlValue } from './sql-driver';

// why: our bigints are epoch milliseconds and counts, far below 2^53; pg returns int8 as a string by default.
const INT8_OID = 20;
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')),
};

/** postgres://user:secret@host:5432/db → postgres://host:5432/db (never log or show a password). */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'postgres://(unparsable DATABASE_URL)';
  }
}

function execOn(q: pg.Pool | pg.PoolClient): SqlExec {
  return {
    run: async (sql, params = []) => (await q.query({ text: toDollarParams(sql), values: params as SqlValue[], types })).rowCount ?? 0,
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q.query({ text: toDollarParams(sql), values: params as SqlValue[], types })).rows as T[],
  };
}

/** A pool for `url`; the first query (the migration) shows whether the server is reachable. */
export function openPostgresDriver(url: string): SqlDriver {
  const location = redactDatabaseUrl(url);
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
  } catch (err) {
    throw new RecordsError('RECORDS_ERR_OPEN', location, { cause: err });
  }
  // why: an idle client losing its server (a Postgres restart) emits 'error' on the pool; unhandled, that kills the process.
  pool.on('error', () => undefined);
  const exec = execOn(pool);
  return {
    kind: 'postgres',
    location,
    run: exec.run,
    all: exec.all,
    async transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(execOn(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
