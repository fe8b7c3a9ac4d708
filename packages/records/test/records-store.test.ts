// The same RecordsStore suite against SQLite (a file under a temp DATA_DIR) and a real Postgres started for this file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startPostgres } from '../../../test-support/postgres';
import { openRecordsStore, type RecordsStoreConfig } from '../src/index';
import { recordsConformance } from './helpers/records-conformance';

t.test('SQLite (DATA_DIR/records.sqlite)', async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'tva-records-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  recordsConformance(t, async (name, config: Partial<RecordsStoreConfig> = {}) => {
    const store = await openRecordsStore({ dataDir: path.join(root, name), ...config });
    t.equal(store.driver, 'sqlite');
    return store;
  });
});

t.test('Postgres (DATABASE_URL)', async (t) => {
  const pg = await startPostgres();
  t.teardown(() => pg.stop());
  const urls = new Map<string, string>();
  recordsConformance(t, async (name, config: Partial<RecordsStoreConfig> = {}) => {
    let url = urls.get(name);
    if (!url) {
      url = await pg.createDatabase(`records_${name}`);
      urls.set(name, url);
    }
    const store = await openRecordsStore({ dataDir: '/nonexistent-unused', databaseUrl: url, ...config });
    t.equal(store.driver, 'postgres');
    t.notMatch(store.location, pg.password, 'the location shown never carries the password');
    return store;
  });
});
