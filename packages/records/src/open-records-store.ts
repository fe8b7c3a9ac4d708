// Opens the call records: SQLite in DATA_DIR/records.sqlite by default, Postgres when DATABASE_URL is set; migrated before it is returned.
//
// Why libsql (0.5.29, pinned exactly) and not better-sqlite3 for SQLite — checked on this machine, Node 20:
// - better-sqlite3 12.11.1 supports Node 20 (13.x needs Node >= 22), but its prebuilt binary comes from
//   GitHub at install time, which is unreachable here and in CI; it then compiles from source (~2 min,
//   needs g++ and python) on every fresh install, and on every Replit deploy build.
// - libsql 0.5.x has the better-sqlite3 API (prepare/run/all, transactions, pragmas) and ships its native
//   binary as an npm package (@libsql/linux-x64-gnu, …), so `npm ci` installs it in seconds with no compiler.
// - Pinned exactly because libsql 0.5.26 published its linux-x64-gnu binary as `npm:null@*` (no binary);
//   0.5.29 has it. Quirk: `.get()` adds a `_metadata` key, so the driver only uses `.all()` and `.run()`.
import { openPostgresDriver } from './postgres-driver';
import { recordsPolicy } from './records-policy';
import type { RecordsStore, RecordsStoreConfig } from './records-types';
import { openSqliteDriver } from './sqlite-driver';
import { SqlRecordsStore } from './sql-records-store';

/** The driver DATABASE_URL asks for: Postgres for postgres:// or postgresql://, SQLite when unset. */
export function recordsDriverFor(databaseUrl: string | undefined): 'sqlite' | 'postgres' {
  return databaseUrl && /^postgres(ql)?:\/\//i.test(databaseUrl) ? 'postgres' : 'sqlite';
}

/** Opens and migrates the store; throws RecordsError (RECORDS_ERR_OPEN / RECORDS_ERR_MIGRATE) when it cannot. */
export async function openRecordsStore(config: RecordsStoreConfig, opts: { sqliteFile?: string } = {}): Promise<RecordsStore> {
  const db = recordsDriverFor(config.databaseUrl) === 'postgres' ? openPostgresDriver(config.databaseUrl as string) : openSqliteDriver(config.dataDir, opts.sqliteFile);
  const store = new SqlRecordsStore(db, recordsPolicy(config));
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

const DAY_MS = 86_400_000;

/** Records started before this time are past RECORDS_RETENTION_DAYS and may be purged. */
export function retentionCutoff(retentionDays: number, now: number = Date.now()): number {
  return now - retentionDays * DAY_MS;
}
