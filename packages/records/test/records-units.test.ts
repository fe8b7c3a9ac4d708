// The records package's small parts: masking, driver choice, URL redaction, placeholders, percentiles, and failures with codes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { maskNumber, openRecordsStore, recordsDriverFor, redactDatabaseUrl, retentionCutoff } from '../src/index';
import { percentile } from '../src/overview';
import { openSqliteDriver } from '../src/sqlite-driver';
import { toDollarParams } from '../src/sql-driver';

t.test('maskNumber keeps the last 4 digits and the shape', async (t) => {
  t.equal(maskNumber('+972501234567'), '+********4567');
  t.equal(maskNumber('+1 (555) 123-0000'), '+* (***) ***-0000');
  t.equal(maskNumber('123'), '123', 'nothing to hide in a short code');
  t.equal(maskNumber('client:alice'), 'client:alice');
});

t.test('DATABASE_URL picks the driver; the shown location never has the password', async (t) => {
  t.equal(recordsDriverFor(undefined), 'sqlite');
  t.equal(recordsDriverFor(''), 'sqlite');
  t.equal(recordsDriverFor('postgres://u:p@h/db'), 'postgres');
  t.equal(recordsDriverFor('postgresql://u:p@h:5433/db'), 'postgres');
  t.equal(redactDatabaseUrl('postgres://user:s3cret@db.example.com:5432/records?sslmode=require'), 'postgres://db.example.com:5432/records');
});

t.test('helpers: placeholders, percentiles, retention cutoff', async (t) => {
  t.equal(toDollarParams('a = ? AND b IN (?, ?)'), 'a = $1 AND b IN ($2, $3)');
  t.equal(percentile([], 50), null);
  t.equal(percentile([5], 95), 5);
  t.equal(percentile([1, 2, 3, 4], 50), 2);
  t.equal(percentile([1, 2, 3, 4], 95), 4);
  t.equal(retentionCutoff(30, 100 * 86_400_000), 70 * 86_400_000);
});

t.test('an unreachable Postgres fails fast with RECORDS_ERR_OPEN and no password in the message', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
    });
  });
  const started = Date.now();
  const err = await openRecordsStore({ dataDir: '/unused', databaseUrl: `postgres://u:hunter2-secret@127.0.0.1:${port}/db` }).then(
    () => undefined,
    (e: Error & { code?: string }) => e,
  );
  t.equal(err?.code, 'RECORDS_ERR_OPEN');
  t.notMatch(err?.message ?? '', 'hunter2-secret');
  t.ok(Date.now() - started < 6000, 'fails within the connect timeout');
});

t.test('SQLite: a database written by a newer version is refused, not silently used', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tva-records-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openRecordsStore({ dataDir: dir });
  await store.close();
  const db = openSqliteDriver(dir);
  await db.run('INSERT INTO records_migrations (version, name, applied_at) VALUES (999, ?, 0)', ['future']);
  await db.close();
  const err = await openRecordsStore({ dataDir: dir }).then(
    () => undefined,
    (e: Error & { code?: string }) => e,
  );
  t.equal(err?.code, 'RECORDS_ERR_MIGRATE');
});

t.test('SQLite: a turn written before a SIGKILL of the writing process is in the record', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tva-records-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dist = path.resolve(__dirname, '../dist/index.js');
  // why: a spawned child cannot run .ts on Node 20; it uses the compiled package (built by `npm run build`).
  const script = `
    const { openRecordsStore } = require(${JSON.stringify(dist)});
    (async () => {
      const s = await openRecordsStore({ dataDir: ${JSON.stringify(dir)} });
      await s.startCall({ callSid: 'CAkill', startedAt: 1, mode: 'stream' });
      await s.addTurn('CAkill', { turn: 1, mode: 'stream', at: 2, callerText: 'hi', agentText: 'hello', interrupted: false, spans: { 'endOfSpeech→firstAudio': 400 } });
      process.stdout.write('written\\n');
      setInterval(() => {}, 1000); // stay alive until killed, store never closed
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('written') && resolve());
    child.once('exit', (code) => reject(new Error(`child exited ${code} before writing`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const store = await openRecordsStore({ dataDir: dir });
  t.teardown(() => store.close());
  const call = await store.getCall('CAkill');
  t.equal(call?.turns.length, 1);
  t.equal(call?.turns[0]?.agentText, 'hello');
});
