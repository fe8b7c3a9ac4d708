// `npm run gonogo -- [BASE] [--deploy-id X] [--auth-token T]`: checks a running stack the way Twilio will use it.
import { parseArgs } from 'node:util';
import { type CheckResult, formatResult } from './gonogo/check';
import { checkHealth, checkVersion, checkWebhooks } from './gonogo/http-checks';
import { checkCall, checkHandshake } from './gonogo/ws-checks';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'deploy-id': { type: 'string' },
      'auth-token': { type: 'string' },
      'skip-call': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run gonogo -- [BASE=http://127.0.0.1:$PORT] [--deploy-id ID] [--auth-token TWILIO_AUTH_TOKEN] [--skip-call]');
    return 0;
  }
  const base = (positionals[0] ?? `http://127.0.0.1:${process.env['PORT'] ?? 8080}`).replace(/\/+$/, '');
  const authToken = values['auth-token'] ?? process.env['TWILIO_AUTH_TOKEN'] ?? undefined;
  const http = { base, deployId: values['deploy-id'], authToken: authToken || undefined };
  console.log(`gonogo against ${base}${http.authToken ? ' (signing requests)' : ''}`);

  const results: CheckResult[] = [];
  const run = async (p: Promise<CheckResult | CheckResult[]>) => {
    for (const r of [await p].flat()) {
      results.push(r);
      console.log(formatResult(r));
    }
  };
  await run(checkVersion(http));
  await run(checkHealth(http));
  await run(checkHandshake(base, true, http.authToken));
  await run(checkHandshake(base, false, http.authToken));
  await run(checkWebhooks(http));
  if (!values['skip-call']) await run(checkCall(base, http.authToken));

  const failed = results.filter((r) => !r.pass);
  console.log(failed.length === 0 ? `GO: all ${results.length} checks passed` : `NO-GO: ${failed.length} of ${results.length} checks failed (${failed.map((r) => r.id).join(', ')})`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`gonogo crashed: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
