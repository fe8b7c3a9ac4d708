// A wrong environment stops each process at start with one fatal line naming every problem, and no secret in it.
import t from 'tap';
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function run(app: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(ROOT, `apps/${app}/dist/main.js`)], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 10000 }, (err, stdout, stderr) =>
      resolve({ code: child.exitCode ?? (err as NodeJS.ErrnoException | null)?.code as unknown as number, stdout, stderr }),
    );
  });
}

for (const app of ['router', 'media', 'webhooks']) {
  t.test(`${app}: TWILIO_AUTH_TOKEN without PUBLIC_BASE_URL, a bad port and a bad TRANSFER_NUMBER → exit 1 and one fatal line`, async (t) => {
    const r = await run(app, { TWILIO_AUTH_TOKEN: 'top-s3cret', PORT: 'eighty', TRANSFER_NUMBER: 'unset' });
    t.equal(r.code, 1, 'exits 1 (pm2 restarts it with backoff, and the line says why)');
    const lines = r.stdout.split('\n').filter(Boolean);
    t.equal(lines.length, 1, r.stdout + r.stderr);
    const line = JSON.parse(lines[0] ?? '{}') as { level: number | string; event: string; code: string; problems: Array<{ name: string }> };
    t.equal(line.event, 'CONFIG_INVALID');
    t.equal(line.code, 'CONFIG_ERR_INVALID');
    t.same(line.problems.map((p) => p.name).sort(), ['PORT', 'PUBLIC_BASE_URL', 'TRANSFER_NUMBER']);
    t.notMatch(r.stdout + r.stderr, /top-s3cret/, 'the secret is never printed');
    t.equal(r.stderr, '', 'no stack trace');
  });
}
