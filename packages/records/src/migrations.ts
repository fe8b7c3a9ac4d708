// Versioned schema migrations, applied in order inside one transaction each; the same tables on SQLite and Postgres.
import { RecordsError } from './records-errors';
import type { SqlDriver } from './sql-driver';

interface Migration {
  version: number;
  name: string;
  /** Statements for the driver at hand (the dialects differ only where noted). */
  statements(kind: SqlDriver['kind']): string[];
}

/** Append only: never edit a migration that has shipped; add the next version instead. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calls, turns, events',
    statements: (kind) => [
      `CREATE TABLE calls (
        call_sid TEXT PRIMARY KEY,
        direction TEXT NOT NULL,
        from_number TEXT,
        to_number TEXT,
        started_at BIGINT NOT NULL,
        ended_at BIGINT,
        ended_by TEXT,
        end_code TEXT,
        stt TEXT,
        llm TEXT,
        tts TEXT,
        fallback INTEGER NOT NULL DEFAULT 0
      )`,
      'CREATE INDEX calls_started_idx ON calls (started_at, call_sid)',
      `CREATE TABLE turns (
        call_sid TEXT NOT NULL,
        mode TEXT NOT NULL,
        turn INTEGER NOT NULL,
        at BIGINT NOT NULL,
        caller_text TEXT,
        agent_text TEXT,
        interrupted INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        spans TEXT NOT NULL,
        latency_ms DOUBLE PRECISION,
        PRIMARY KEY (call_sid, mode, turn)
      )`,
      'CREATE INDEX turns_at_idx ON turns (at)',
      // why: the two dialects spell an auto-increment key differently; it only orders events written in the same millisecond.
      `CREATE TABLE events (
        id ${kind === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'},
        call_sid TEXT NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        code TEXT,
        detail TEXT
      )`,
      'CREATE INDEX events_call_idx ON events (call_sid, kind)',
      'CREATE INDEX events_at_idx ON events (at, kind)',
    ],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Applies what is missing; safe to run from several processes at once (a lock on Postgres, BEGIN IMMEDIATE on SQLite). */
export async function migrate(db: SqlDriver): Promise<void> {
  try {
    await db.run('CREATE TABLE IF NOT EXISTS records_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    await db.transaction(async (tx) => {
      // why: two processes starting together against one Postgres must not both create the tables.
      if (db.kind === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(727001)');
      const rows = await tx.all<{ version: number }>('SELECT version FROM records_migrations');
      const applied = new Set(rows.map((r) => Number(r.version)));
      const newest = Math.max(0, ...applied);
      if (newest > SCHEMA_VERSION) throw new RecordsError('RECORDS_ERR_MIGRATE', `the database is at version ${newest}, this code knows up to ${SCHEMA_VERSION}`);
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of m.statements(db.kind)) await tx.run(sql);
        await tx.run('INSERT INTO records_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      }
    });
  } catch (err) {
    if (err instanceof RecordsError) throw err;
    throw new RecordsError(db.kind === 'postgres' && isConnectError(err) ? 'RECORDS_ERR_OPEN' : 'RECORDS_ERR_MIGRATE', `${db.location}: ${(err as Error).message}`, { cause: err });
  }
}

function isConnectError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|28P01|28000|3D000)$/.test(code);
}
