// The SQLite driver: one libsql connection to DATA_DIR/records.sqlite in WAL mode, calls serialized by a promise chain.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'libsql';
import { RecordsError } from './records-errors';
import type { SqlDriver, SqlExec, SqlValue } from './sql-driver';

export const SQLITE_FILE = 'records.sqlite';

type Db = InstanceType<typeof Database>;

function execOn(db: Db): SqlExec {
  return {
    run: async (sql, params = []) => db.prepare(sql).run(...(params as SqlValue[])).changes,
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => db.prepare(sql).all(...(params as SqlValue[])) as T[],
  };
}

/** Opens (creating it and DATA_DIR when missing) the records file; `file` may be ':memory:' in tests. */
export function openSqliteDriver(dataDir: string, file: string = SQLITE_FILE): SqlDriver {
  const location = file === ':memory:' ? file : path.join(dataDir, file);
  let db: Db;
  try {
    if (file !== ':memory:') mkdirSync(dataDir, { recursive: true });
    db = new Database(location);
    // why: WAL lets the console read while webhooks writes, and a committed write survives a process kill (not only a clean close).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new RecordsError('RECORDS_ERR_OPEN', location, { cause: err });
  }
  const exec = execOn(db);
  // why: one connection; an async transaction body must not have another caller's statements run inside it.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  let closed = false;
  return {
    kind: 'sqlite',
    location,
    run: (sql, params) => serial(() => exec.run(sql, params)),
    all: <T>(sql: string, params?: readonly SqlValue[]) => serial(() => exec.all<T>(sql, params)),
    transaction: <T>(fn: (tx: SqlExec) => Promise<T>) =>
      serial(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(exec);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    close: () =>
      serial(async () => {
        if (closed) return;
        closed = true;
        db.close();
      }),
  };
}
