// loadConfig: defaults, parsing, and every problem reported at once.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARS, ConfigError, loadConfig } from '../src/index';

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
  const c = loadConfig({ PORT: '9000', PUBLIC_BASE_URL: 'https://agent.example.com/', TWILIO_AUTH_TOKEN: 'tok', LOG_TRANSCRIPTS: 'yes' });
  t.equal(c.port, 9000);
  t.equal(c.publicBaseUrl, 'https://agent.example.com');
  t.equal(c.callTokenSecret, 'tok', 'the call-token key falls back to the auth token');
  t.equal(c.callTokenSecretIsDefault, false);
  t.equal(c.logTranscripts, true);
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

t.test('the three ports must differ', async (t) => {
  t.throws(() => loadConfig({ PORT: '9000', MEDIA_PORT: '9000' }), { code: 'CONFIG_ERR_INVALID' });
});

t.test('.env.example lists every variable of the catalogue, and nothing else', async (t) => {
  const text = readFileSync(path.join(__dirname, '../../../.env.example'), 'utf8');
  const listed = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
  t.same(listed, CONFIG_VARS.map((v) => v.name).sort());
});

t.test('the README configuration table names every variable', async (t) => {
  const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
  for (const v of CONFIG_VARS) t.match(readme, `| \`${v.name}\` |`, v.name);
});
