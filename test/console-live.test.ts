// The console on the whole stack: a simulated Twilio call (embedded offline agent) shows up on Live in headless Chromium
// through the router, its live transcript grows, and its finished page has the turns, the waterfall and RTL Hebrew;
// then the same stack on Postgres (DATABASE_URL): a finished call's record read back through the console API.
import t from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SimulatedCall } from '@tva/call-simulator';
import type { CallDetail, CallPage } from '@tva/records';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { httpRequest, postForm } from '../apps/cli/src/stack/http-get';
import { startPostgres } from '../test-support/postgres';
import { sid } from '../test-support/twilio-sids';
import { waitUntil } from '../test-support/wait-until';
import { twilioCaller } from '../test-support/twilio-caller';

const PASSWORD = 'console-live-test-password';
const ACCOUNT = sid('AC', 'consolelive');
const TOKEN = 'console-live-auth-token';
const FROM = '+972501234567';
const TO = '+97231234567';

const stackEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  CONSOLE_PASSWORD: PASSWORD,
  TWILIO_ACCOUNT_SID: ACCOUNT,
  TWILIO_AUTH_TOKEN: TOKEN,
  LOG_LEVEL: 'info',
  ...extra,
});

/** The caller presses `digit` and keeps the line open until the media worker has logged the answered turn. */
async function pressAndWaitForTurn(stack: Stack, call: SimulatedCall, callSid: string, digit: string): Promise<void> {
  await call.sendSilence(300);
  call.sendDtmf(digit);
  await stack.waitFor(`the turn of ${callSid}`, () => stack.logs().some((l) => l['event'] === 'TURN' && l['callSid'] === callSid), 10_000);
}

/** The caller hangs up: Twilio sends `stop` and, the call being over, never requests the <Connect action>. */
async function hangUp(stack: Stack, call: SimulatedCall, callSid: string): Promise<void> {
  await call.sendSilence(200);
  await call.stop();
  await stack.waitFor('the stream outcome', () => stack.logs().some((l) => l['event'] === 'STREAM_OUTCOME' && l['callSid'] === callSid), 5000);
}

t.test('the console on the whole stack, with SQLite: Live, live transcript, the finished call page', async (t) => {
  const stack = await startStack(stackEnv());
  t.teardown(() => stack.stop());
  await stack.waitFor('greeting cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'), 30_000);
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  await page.goto(`${stack.baseUrl}/console/live`);
  t.match(page.url(), /\/console\/login$/, 'without a session Live sends the browser to log in');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/console$/), page.click('button[type=submit]')]);
  await page.goto(`${stack.baseUrl}/console/live`);
  await page.locator('#live-status', { hasText: 'live' }).waitFor();

  const callSid = sid('CA', 'console-live');
  const { call } = await twilioCaller(stack, TOKEN).placeCall(callSid, { AccountSid: ACCOUNT, From: FROM, To: TO });
  t.teardown(() => call.terminate());
  const row = page.locator(`tr[data-call-sid="${callSid}"]`);
  await row.waitFor({ timeout: 5000 });
  t.pass('the call appeared on Live without a reload');
  t.match(await row.textContent(), /streamed/, 'its mode');
  t.match(await row.textContent(), /listening|thinking|speaking/, 'its state');

  await row.click();
  await page.waitForURL(new RegExp(`/console/calls/${callSid}$`));
  await page.locator('.tag.live').waitFor();
  const lines = page.locator('#transcript .line');
  t.equal(await lines.count(), 0, 'no turn yet: the greeting is not a turn');
  await pressAndWaitForTurn(stack, call, callSid, '1');
  await lines.nth(1).waitFor({ timeout: 5000 });
  t.match(await lines.nth(0).textContent(), /Caller/, 'the key press turn arrived over SSE');
  t.match(await lines.nth(1).textContent(), /Agent/, 'and the agent\'s answer');
  const answer = ((await lines.nth(1).locator('p').textContent()) ?? '').trim();
  t.ok(answer.length > 0, `the answer's words: ${answer}`);

  await hangUp(stack, call, callSid);
  // The page redraws itself from the record when the call leaves the live list.
  // why 12 s: a stream that ends without a deliberate end stays live 5 s, in case stream_ended moves the call to RECORD.
  await page.locator('#waterfall rect[data-span]').first().waitFor({ timeout: 12_000 });
  t.notOk(await page.locator('.tag.live').isVisible(), 'no longer live');
  await page.reload();
  await page.locator('#waterfall').waitFor();
  t.equal(await page.locator('#turns tbody tr').count(), 1, 'one turn in the record');
  t.ok((await page.locator('#waterfall rect[data-span]').count()) >= 2, 'the turn\'s latency waterfall bars');
  const dirs = await page.locator('#transcript .line p').evaluateAll((ps) => ps.map((p) => [p.textContent ?? '', getComputedStyle(p).direction]));
  t.ok(dirs.some(([text]) => text.includes(answer.slice(0, 10))), 'the agent\'s answer is in the recorded transcript');
  const hebrew = dirs.find(([text]) => /^[\s\p{P}\d]*[\u0590-\u05FF]/u.test(text));
  t.ok(hebrew, `a Hebrew line: ${JSON.stringify(dirs)}`);
  t.equal(hebrew?.[1], 'rtl', 'a Hebrew line is right-to-left (computed direction)');
  t.match(await page.locator('#events').textContent(), /dtmf/, 'the key press on the event timeline');
  t.same(pageErrors, [], 'no script errors on the pages');
});

t.test('the same stack with DATABASE_URL: records in Postgres, read back through the console API', async (t) => {
  const pg = await startPostgres();
  t.teardown(() => pg.stop());
  const url = await pg.createDatabase('console_live');
  const stack = await startStack(stackEnv({ DATABASE_URL: url }));
  t.teardown(() => stack.stop());
  await stack.waitFor('records open on Postgres', () => stack.logs().some((l) => l['event'] === 'RECORDS' && l['driver'] === 'postgres'), 20_000);
  await stack.waitFor('greeting cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'), 30_000);

  const callSid = sid('CA', 'console-live-pg');
  const { call } = await twilioCaller(stack, TOKEN).placeCall(callSid, { AccountSid: ACCOUNT, From: FROM, To: TO });
  t.teardown(() => call.terminate());
  await pressAndWaitForTurn(stack, call, callSid, '1');
  await hangUp(stack, call, callSid);

  const login = await postForm(`${stack.baseUrl}/console/login`, { password: PASSWORD });
  t.equal(login.status, 303, 'logged in');
  const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
  t.match(cookie, /^tva_console=/);
  const get = async <T>(p: string): Promise<T> => {
    const res = await httpRequest(`${stack.baseUrl}${p}`, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${res.body}`);
    return JSON.parse(res.body) as T;
  };
  t.equal((await httpRequest(`${stack.baseUrl}/api/calls`)).status, 401, 'without the cookie: 401');

  let detail: CallDetail | null = null;
  await waitUntil('the finished record', async () => {
    detail = (await get<{ call: CallDetail | null }>(`/api/calls/${callSid}`)).call;
    return detail !== null && detail.endedBy !== null && detail.turns.length >= 1;
  }, 8000, 100);
  const rec = detail as unknown as CallDetail;
  t.equal(rec.direction, 'phone');
  t.ok(rec.from?.endsWith('4567') && rec.from !== FROM, `the caller's number, masked: ${rec.from}`);
  t.equal(rec.endedBy, 'caller-hangup');
  t.equal(rec.turns[0]?.mode, 'stream');
  t.ok(rec.turns[0]?.agentText, 'the agent\'s answer');
  t.type(rec.turns[0]?.spans['endOfSpeech→firstAudio'], 'number', 'the TURN line\'s spans');
  t.ok(rec.events.some((e) => e.kind === 'dtmf'), 'the key press');
  const list = await get<CallPage>('/api/calls?number=4567');
  t.ok(list.calls.some((c) => c.callSid === callSid), 'the call is found by number suffix in the list');
  t.notOk(JSON.stringify(rec).includes(pg.password), 'the database password is not in the record');
});
