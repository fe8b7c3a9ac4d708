// The console in real headless Chromium (Debian's, via playwright-core): login, Live updating over SSE with a growing transcript,
// Calls search, a call page with per-line RTL and the waterfall, Overview charts; screenshots go to docs/console-*.png.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '@tva/config';
import { createLogger } from '@tva/logging';
import { DtmfOnlySttProvider, EspeakTtsProvider, ScriptedLlmProvider } from '@tva/providers';
import { openRecordsStore } from '@tva/records';
import { buildApp } from '../apps/webhooks/src/build-app';
import { LiveCalls } from '../apps/webhooks/src/live-calls';

const CHROMIUM = '/usr/bin/chromium';
const DOCS = path.resolve(__dirname, '..', 'docs');
const PASSWORD = 'console-test-password';
const offline = { stt: new DtmfOnlySttProvider(), llm: new ScriptedLlmProvider(), tts: new EspeakTtsProvider() };

const spans = (eos: number, llm: number, tts: number, tx: number) => ({
  'endOfSpeech→sttFinal': eos,
  'sttFinal→llmFirstToken': llm,
  'llmFirstToken→ttsFirstAudio': tts,
  'ttsFirstAudio→mediaTx': tx,
  'endOfSpeech→firstAudio': eos + llm + tts + tx,
  TTS_LEN_ms: 2400,
});

t.test('the console in headless Chromium', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'console-browser-'));
  const records = await openRecordsStore({ dataDir, recordsMaskNumbers: false });
  const liveCalls = new LiveCalls();
  const config = loadConfig({ CONSOLE_PASSWORD: PASSWORD, DATA_DIR: dataDir });
  const app = buildApp({ config, logger: createLogger({ service: 'webhooks', destination: new Writable({ write: (_c, _e, cb) => cb() }) }), providers: offline, records, liveCalls });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://localhost:${(app.server.address() as { port: number }).port}`;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(async () => {
    await browser.close();
    await app.close();
    await records.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // A finished call with Hebrew, English and mixed lines, a barge-in, a provider error and a RECORD fallback.
  const now = Date.now();
  const sid = 'CA' + 'a1'.repeat(16);
  await records.startCall({ callSid: sid, from: '+972501234567', to: '+972733000000', startedAt: now - 95_000, mode: 'stream', providers: { stt: 'azure', llm: 'openai:gpt-4o-mini', tts: 'azure' } });
  await records.addTurn(sid, { turn: 1, mode: 'stream', at: now - 90_000, callerText: 'שלום, אני רוצה לקבוע תור', agentText: 'בשמחה! לאיזה יום?', interrupted: false, spans: spans(310, 420, 260, 40) });
  await records.addTurn(sid, { turn: 2, mode: 'stream', at: now - 75_000, callerText: 'Do you speak English?', agentText: 'Yes, of course. How can I help', interrupted: true, spans: spans(280, 690, 300, 35) });
  await records.addEvent(sid, { at: now - 76_000, kind: 'barge-in' });
  await records.addTurn(sid, { turn: 3, mode: 'stream', at: now - 60_000, callerText: 'אני צריך את ה-invoice של חודש מרץ', agentText: 'שלחתי את ה-invoice למייל שלך.', interrupted: false, spans: spans(350, 1250, 310, 45) });
  await records.addEvent(sid, { at: now - 58_000, kind: 'provider-error', code: 'PROVIDER_TTS_TIMEOUT', detail: 'azure TTS: no first audio within TTS_TIMEOUT_MS' });
  await records.addEvent(sid, { at: now - 50_000, kind: 'fallback', code: 'WS_ERR_PONG_TIMEOUT', detail: 'stream lost: continuing in RECORD mode' });
  await records.addMode(sid, { mode: 'record', at: now - 49_000 });
  await records.addTurn(sid, { turn: 1, mode: 'record', at: now - 30_000, callerText: 'תודה רבה', agentText: 'תודה ולהתראות!', interrupted: false, spans: { fetchMs: 180, sttMs: 420, llmMs: 610, ttsMs: 380 } });
  await records.endCall(sid, { endedBy: 'agent-end', at: now - 25_000 });
  for (let i = 0; i < 6; i++) {
    const other = `CA${String(i).padStart(32, '0')}`;
    await records.startCall({ callSid: other, from: `+9725400000${10 + i}`, to: '+972733000000', startedAt: now - (i + 2) * 3_600_000, mode: 'stream' });
    await records.addTurn(other, { turn: 1, mode: 'stream', at: now - (i + 2) * 3_600_000 + 5000, callerText: 'hello', agentText: 'hi', interrupted: false, spans: spans(300, 400 + i * 90, 250, 40) });
    await records.endCall(other, { endedBy: i === 2 ? 'error' : 'caller-hangup', at: now - (i + 2) * 3_600_000 + 60_000 });
  }

  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const shot = (name: string) => page.screenshot({ path: path.join(DOCS, `console-${name}.png`), fullPage: true });

  await t.test('without a session every page goes to the login page; a wrong password is refused', async (t) => {
    await page.goto(`${base}/console/calls`);
    t.match(page.url(), /\/console\/login$/);
    await page.fill('#password', 'wrong');
    await page.click('button[type=submit]');
    t.ok(await page.getByRole('alert').isVisible());
    await shot('login');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/console$/);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'tva_console');
    t.ok(cookie?.httpOnly, 'HttpOnly');
    t.equal(cookie?.sameSite, 'Strict');
  });

  await t.test('Live lists a call as it starts and its transcript grows without reload', async (t) => {
    await page.goto(`${base}/console/live`);
    await page.locator('#live-status', { hasText: 'live' }).waitFor();
    const liveSid = 'CA' + 'b2'.repeat(16);
    liveCalls.start(liveSid, { direction: 'phone', from: '+972521112233', to: '+972733000000', mode: 'stream', startedAt: Date.now() - 42_000 });
    liveCalls.setState(liveSid, 'speaking');
    liveCalls.addTurn(liveSid, { turn: 1, at: Date.now(), callerText: 'מה שעות הפתיחה?', agentText: 'אנחנו פתוחים מתשע עד חמש.', interrupted: false, latencyMs: 812 });
    const row = page.locator(`tr[data-call-sid="${liveSid}"]`);
    await row.waitFor();
    t.match(await row.textContent(), /speaking/);
    t.match(await row.textContent(), /812 ms/);
    liveCalls.start('CA' + 'c3'.repeat(16), { direction: 'browser', mode: 'stream' });
    liveCalls.setState('CA' + 'c3'.repeat(16), 'thinking');
    await page.locator('tr[data-call-sid]').nth(1).waitFor();
    await shot('live');

    await row.click();
    await page.waitForURL(/\/console\/calls\/CA/);
    await page.locator('#transcript .line').first().waitFor();
    const before = await page.locator('#transcript .line').count();
    liveCalls.addTurn(liveSid, { turn: 2, at: Date.now(), callerText: 'ואיפה אתם נמצאים?', agentText: 'ברחוב הרצל 10, תל אביב.', interrupted: false, latencyMs: 790 });
    await page.locator('#transcript .line').nth(before + 1).waitFor();
    t.equal(await page.locator('#transcript .line').count(), before + 2, 'two more lines arrived over SSE');

    // A barge-in re-reports a turn already shown: its lines are replaced in place, the agent's as heard and flagged.
    const other = 'CA' + 'c3'.repeat(16);
    liveCalls.addTurn(other, { turn: 1, at: Date.now(), callerText: 'another call', agentText: 'its answer', interrupted: false });
    liveCalls.addTurn(other, { turn: 1, at: Date.now(), callerText: 'another call', agentText: 'its', interrupted: true });
    liveCalls.addTurn(liveSid, { turn: 2, at: Date.now(), callerText: 'ואיפה אתם נמצאים?', agentText: 'ברחוב הרצל', interrupted: true, latencyMs: 790 });
    const turn2 = page.locator('#transcript .line[data-turn="2"]');
    await turn2.locator('.tag.interrupted').waitFor();
    t.equal(await page.locator('#transcript .line').count(), before + 2, 'the re-reported turn replaced its lines, adding none');
    t.equal(await turn2.count(), 2, 'the caller\'s line and the agent\'s');
    t.equal(((await turn2.nth(1).locator('p').textContent()) ?? '').trim(), 'ברחוב הרצל', 'the agent\'s line is what was heard');
    t.match(await page.locator('#transcript').textContent(), /אנחנו פתוחים מתשע עד חמש/, 'turn 1 is untouched: another call\'s re-reported turn never reached this page');
    t.notMatch(await page.locator('#transcript').textContent(), /another call|its answer/);
    await shot('live-call');
  });

  await t.test('Calls searches by number suffix and how the call ended, and pages', async (t) => {
    await page.goto(`${base}/console/calls`);
    await page.locator('#calls-table tbody tr[data-call-sid]').first().waitFor();
    t.equal(await page.locator('#calls-table tbody tr[data-call-sid]').count(), 7);
    await shot('calls');
    await page.fill('input[name=number]', '4567');
    await page.click('#calls-search button[type=submit]');
    await page.waitForURL(/number=4567/);
    await page.locator('#calls-table tbody tr[data-call-sid]').first().waitFor();
    t.equal(await page.locator('#calls-table tbody tr[data-call-sid]').count(), 1);
    await page.goto(`${base}/console/calls?endedBy=error`);
    await page.locator('#calls-table tbody tr[data-call-sid]').first().waitFor();
    t.equal(await page.locator('#calls-table tbody tr[data-call-sid]').count(), 1);
    await page.goto(`${base}/console/calls?limit=3`);
    await page.locator('#older').click();
    await page.waitForURL(/cursor=/);
    await page.locator('#calls-table tbody tr[data-call-sid]').first().waitFor();
    t.equal(await page.locator('#calls-table tbody tr[data-call-sid]').count(), 3);
  });

  await t.test('a call page: transcript with per-line direction, waterfall, events and errors with their code', async (t) => {
    await page.goto(`${base}/console/calls/${sid}`);
    await page.locator('#waterfall').waitFor();
    const dirs = await page.locator('#transcript .line p').evaluateAll((ps) => ps.map((p) => [p.textContent, getComputedStyle(p).direction]));
    t.same(dirs.find(([text]) => text?.startsWith('שלום'))?.[1], 'rtl', 'a Hebrew line is right-to-left');
    t.same(dirs.find(([text]) => text?.startsWith('Do you'))?.[1], 'ltr', 'an English line is left-to-right');
    t.same(dirs.find(([text]) => text?.includes('invoice של'))?.[1], 'rtl', 'a mixed line starting in Hebrew is right-to-left');
    t.equal(await page.locator('#waterfall rect[data-span]').count(), 4 * 3 + 4, 'four stages per streamed turn, four for the RECORD turn');
    t.match(await page.locator('#errors').textContent(), /PROVIDER_TTS_TIMEOUT/);
    t.match(await page.locator('#events').textContent(), /barge-in/);
    t.ok(await page.locator('.tag.interrupted').isVisible());
    await shot('call');
  });

  await t.test('Overview draws calls per hour, latency p50/p95 and fallbacks/errors as charts', async (t) => {
    await page.goto(`${base}/console/overview`);
    await page.locator('#charts svg').first().waitFor();
    t.equal(await page.locator('#charts figure').count(), 3);
    t.ok((await page.locator('#charts svg rect').count()) >= 7, 'bars drawn');
    t.ok((await page.locator('#charts svg path').count()) >= 2, 'p50 and p95 lines');
    await shot('overview');
  });

  await t.test('erasing a call from its page removes the record', async (t) => {
    const victim = `CA${'0'.repeat(32)}`;
    await page.goto(`${base}/console/calls/${victim}`);
    page.once('dialog', (d) => void d.accept());
    await page.click('#erase');
    await page.waitForURL(/\/console\/calls$/);
    t.equal(await records.getCall(victim), undefined);
  });
});
