// loadConfig: defaults, parsing, and every problem reported at once.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARS, ConfigError, loadConfig, TIMINGS, timingProblems } from '../src/index';

t.test('an empty environment gives the documented defaults', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 8080);
  t.equal(c.host, '0.0.0.0');
  t.equal(c.mediaPort, 8081);
  t.equal(c.webhooksPort, 8082);
  t.equal(c.deployId, 'local');
  t.equal(c.agent, 'voice');
  t.same(c.sttLanguages, ['he-IL']);
  t.equal(c.publicBaseUrl, undefined);
  t.equal(c.callTokenSecretIsDefault, true);
});

t.test('values are parsed and PUBLIC_BASE_URL loses its trailing slash', async (t) => {
  const c = loadConfig({ PORT: '9000', PUBLIC_BASE_URL: 'https://agent.example.com/', TWILIO_AUTH_TOKEN: 'tok', LOG_TRANSCRIPTS: 'yes', DATA_DIR: 'state', TRUST_PROXY: '1' });
  t.equal(c.dataDir, path.resolve('state'), 'DATA_DIR is made absolute');
  t.equal(c.trustProxy, 1);
  t.equal(c.internalPort, 8083);
  t.equal(c.port, 9000);
  t.equal(c.publicBaseUrl, 'https://agent.example.com');
  t.equal(c.callTokenSecret, 'tok', 'the call-token key falls back to the auth token');
  t.equal(c.callTokenSecretIsDefault, false);
  t.equal(c.logTranscripts, true);
});

t.test('DATABASE_URL is kept as given: user, password and query survive', async (t) => {
  const url = 'postgres://tva:p%40ss@db.example.com:5432/records?sslmode=require';
  t.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://u:p@h/db' }), /DATABASE_URL/, 'other schemes are still refused');
});

t.test('every bad variable is named in one error, secrets never echoed', async (t) => {
  let err: ConfigError | undefined;
  try {
    loadConfig({ PORT: 'eighty', MEDIA_PORT: '70000', LOG_LEVEL: 'loud', PUBLIC_BASE_URL: 'ftp://x', LOG_TRANSCRIPTS: 'maybe', TWILIO_AUTH_TOKEN: 's3cret' });
  } catch (e) {
    err = e as ConfigError;
  }
  if (!err) return t.fail('loadConfig accepted a bad environment');
  t.ok(err instanceof ConfigError);
  t.notMatch(err.message, /s3cret/);
  t.equal(err.code, 'CONFIG_ERR_INVALID');
  t.same(err.problems.map((p) => p.name).sort(), ['LOG_LEVEL', 'LOG_TRANSCRIPTS', 'MEDIA_PORT', 'PORT', 'PUBLIC_BASE_URL']);
  t.match(err.message, /PORT="eighty" is not a whole number/);
});

t.test('the four ports must differ', async (t) => {
  t.throws(() => loadConfig({ PORT: '9000', MEDIA_PORT: '9000' }), { code: 'CONFIG_ERR_INVALID' });
  t.throws(() => loadConfig({ INTERNAL_PORT: '8082' }), { code: 'CONFIG_ERR_INVALID' });
});

t.test('TWILIO_AUTH_TOKEN without PUBLIC_BASE_URL is a start-up error that names it, with the other problems', async (t) => {
  let err: ConfigError | undefined;
  try {
    loadConfig({ TWILIO_AUTH_TOKEN: 's3cret', PORT: 'x' });
  } catch (e) {
    err = e as ConfigError;
  }
  if (!err) return t.fail('accepted a signed set-up with no PUBLIC_BASE_URL');
  t.same(err.problems.map((p) => p.name).sort(), ['PORT', 'PUBLIC_BASE_URL']);
  t.match(err.message, /PUBLIC_BASE_URL="" is required when TWILIO_AUTH_TOKEN is set/);
  t.notMatch(err.message, /s3cret/);
});

t.test('TRANSFER_NUMBER must be E.164', async (t) => {
  t.equal(loadConfig({ TRANSFER_NUMBER: '+972501234567' }).transferNumber, '+972501234567');
  t.equal(loadConfig({}).transferNumber, undefined, 'unset: no transfer');
  for (const bad of ['unset', '0501234567', '+0123456789', '+97250123456789012', '+97250 1234567', '+1<Hangup/>']) {
    t.throws(() => loadConfig({ TRANSFER_NUMBER: bad }), { code: 'CONFIG_ERR_INVALID', message: /TRANSFER_NUMBER=.* is not an E\.164 number/ }, bad);
  }
});

t.test('shutdown timings nest: drain < grace < kill_timeout, notice < outcome wait, router outlives the media drain', async (t) => {
  t.same(timingProblems(), []);
  t.match(timingProblems({ ...TIMINGS, routerGraceMs: 9600 }).join('\n'), /routerGraceMs .* must be below routerKillTimeoutMs/);
  t.match(timingProblems({ ...TIMINGS, mediaDrainMs: 6500 }).join('\n'), /mediaDrainMs \+ noticeTimeoutMs/);
  t.match(timingProblems({ ...TIMINGS, noticeTimeoutMs: 2000 }).join('\n'), /noticeTimeoutMs .* must be below outcomeWaitMs/);
});

t.test('pm2 kill_timeouts come from TIMINGS', async (t) => {
  // why: the ecosystem file requires the compiled timings; the test suite builds before it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const eco = require(path.join(__dirname, '../../../ecosystem.config.cjs')) as { apps: Array<{ name: string; kill_timeout: number }> };
  const kill = Object.fromEntries(eco.apps.map((a) => [a.name, a.kill_timeout]));
  t.same(kill, { media: TIMINGS.mediaKillTimeoutMs, webhooks: TIMINGS.webhooksKillTimeoutMs, router: TIMINGS.routerKillTimeoutMs });
});

t.test('.env.example lists every variable of the catalogue, and nothing else', async (t) => {
  const text = readFileSync(path.join(__dirname, '../../../.env.example'), 'utf8');
  const listed = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
  t.same(listed, CONFIG_VARS.map((v) => v.name).sort());
});

t.test('.env.example shows each variable with its real default (or empty when it has none)', async (t) => {
  const text = readFileSync(path.join(__dirname, '../../../.env.example'), 'utf8');
  const values = new Map([...text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  for (const v of CONFIG_VARS) t.equal(values.get(v.name), v.default ?? '', v.name);
});

t.test('the README configuration table names every variable with its default', async (t) => {
  const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
  for (const v of CONFIG_VARS) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${v.name}\` |`));
    if (!row) {
      t.fail(`README has no row for ${v.name}`);
      continue;
    }
    const shown = row.split('|')[2]?.trim() ?? '';
    if (v.default !== undefined) t.equal(shown, v.default, `${v.name} default in the README`);
    else t.not(shown, '', `${v.name} says what happens when unset`);
  }
});
