// The softphone in real headless Chromium (fake microphone fed a WAV): log in, call the agent on the embedded defaults,
// hear the greeting (the page's own counters), press a key and get an answer; without a session nothing opens.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import t from 'tap';
import WebSocket from 'ws';
import { chromium, type Browser, type Page } from 'playwright-core';
import { twilioMessage } from '@tva/twilio-media-stream';
import { SOFTPHONE_STREAM_PATH } from '@tva/security';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { httpRequest } from '../apps/cli/src/stack/http-get';
import { waitUntil } from '../test-support/wait-until';

const PASSWORD = 'softphone-test-password';

/**
 * The caller's microphone, at 48 kHz: 27 s of silence (the greeting, ~12 s, and the key press are answered meanwhile),
 * a question (its answer takes ~14 s), and 6 s later the question again, talking over that answer (a barge-in).
 */
function makeCallerWav(dir: string): string {
  const speech = path.join(dir, 'speech.wav');
  const speech48 = path.join(dir, 'speech48.wav');
  const first = path.join(dir, 'first.wav');
  const wav = path.join(dir, 'caller.wav');
  execFileSync('espeak-ng', ['-v', 'en', '-w', speech, 'Hello, what are your opening hours?']);
  execFileSync('sox', [speech, '-r', '48000', '-c', '1', '-b', '16', speech48]);
  execFileSync('sox', [speech48, first, 'pad', '27', '6']);
  execFileSync('sox', [first, speech48, wav, 'pad', '0', '3']);
  return wav;
}

/** A counter the panel mirrors as data-<name> (see softphone-view.ts). */
const counter = (page: Page, name: string): Promise<number> => page.locator('[data-softphone]').evaluate((el, n) => Number(el.getAttribute(`data-${n}`) ?? 0), name);

/** Every counter of the panel, for failure messages. */
const counters = (page: Page): Promise<Record<string, string>> =>
  page.locator('[data-softphone]').evaluate((el) => Object.fromEntries([...el.attributes].filter((a) => a.name.startsWith('data-')).map((a) => [a.name.slice(5), a.value])));

/** Opens /ws/softphone as a stranger would (through the router) and sends `start`; resolves with the close code. */
function strangerStream(stack: Stack, callToken: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${stack.wsUrl.replace(/\/ws\/.*$/, '')}${SOFTPHONE_STREAM_PATH}`);
    ws.on('error', reject);
    ws.on('close', (code) => resolve(code));
    ws.on('open', () => {
      const callSid = `CA${'ab'.repeat(16)}`;
      ws.send(twilioMessage.connected());
      ws.send(twilioMessage.start({ streamSid: `MZ${'cd'.repeat(16)}`, callSid, accountSid: `AC${'0'.repeat(32)}`, customParameters: callToken ? { call_token: callToken } : {} }));
    });
  });
}

t.test('softphone: a logged-in browser calls the agent, hears the greeting, and a key press gets an answer', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tva-softphone-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wav = makeCallerWav(dir);
  const stack = await startStack({ CONSOLE_PASSWORD: PASSWORD, LOG_TRANSCRIPTS: 'true' });
  t.teardown(() => stack.stop());
  await stack.waitFor('greeting cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'), 30_000);

  // Without a session: no token, and a made-up token opens nothing.
  const refused = await httpRequest(`${stack.baseUrl}/api/softphone/token`, { method: 'POST', timeoutMs: 2000 });
  t.equal(refused.status, 401, 'POST /api/softphone/token without a session: 401');
  t.equal(await strangerStream(stack, undefined), 1008, 'the softphone socket without a token is closed with 1008');
  t.equal(await strangerStream(stack, `${Math.floor(Date.now() / 1000)}.${'A'.repeat(43)}`), 1008, 'with a forged token: 1008');
  t.ok(await stack.logged((l) => l['event'] === 'WS_REJECT' && l['code'] === 'CALL_TOKEN_BAD_SIGNATURE'), 'the forged token is logged as CALL_TOKEN_BAD_SIGNATURE');

  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}%noloop`, '--autoplay-policy=no-user-gesture-required'],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on('pageerror', (err) => consoleErrors.push(err.message));

  await page.goto(`${stack.baseUrl}/console/call`);
  t.match(page.url(), /\/console\/login$/, 'without a session the softphone page sends the browser to log in');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/console(\/.*)?$/), page.click('button[type=submit]')]);
  await page.goto(`${stack.baseUrl}/console/call`);
  await page.waitForSelector('[data-softphone][data-state="idle"]');

  await page.click('[data-action="call"]');
  await page.waitForSelector('[data-softphone][data-state="live"]', { timeout: 10_000 });
  const callSid = await page.locator('[data-softphone]').evaluate((el) => (el as HTMLElement).dataset['callSid'] ?? '');
  t.match(callSid, /^CA[0-9a-f]{32}$/, 'the page got a CallSid with its token');
  t.ok(await stack.logged((l) => l['event'] === 'WS_START' && l['callSid'] === callSid, 5000), 'the media worker started the browser stream');

  await waitUntil('the greeting to play', async () => (await counter(page, 'audio-played-ms')) >= 1000 && (await counter(page, 'marks-played')) >= 1, 15_000, 100);
  t.ok((await counter(page, 'media-sent')) >= 50, 'the microphone went out as 20 ms media frames');
  t.pass(`greeting played: ${await counter(page, 'audio-played-ms')} ms, ${await counter(page, 'marks-played')} marks echoed after playing`);

  // The greeting has played out when every mark came back and no more audio arrives.
  await waitUntil('the greeting to finish playing', async () => {
    const marks = await counter(page, 'marks-received');
    const echoed = await counter(page, 'marks-played');
    const frames = await counter(page, 'media-received');
    await new Promise((r) => setTimeout(r, 500));
    return marks > 0 && echoed === marks && frames === (await counter(page, 'media-received'));
  }, 20_000, 0).catch(async (err: Error) => {
    const lines = stack.logs().filter((l) => l['callSid'] === callSid && l['event'] !== 'MARK').map((l) => `${String(l['event'])} ${String(l['msg'])}`);
    throw new Error(`${err.message}; page ${JSON.stringify(await counters(page))}; media: ${lines.join(' | ')}`);
  });
  const greeting = { frames: await counter(page, 'media-received'), played: await counter(page, 'marks-played'), ms: await counter(page, 'audio-played-ms') };
  t.equal(await counter(page, 'clears'), 0, 'the greeting played to the end (no clear)');
  t.ok(greeting.ms >= greeting.frames * 20 - 100, `the greeting's audio played: ${greeting.ms} ms of ${greeting.frames} frames`);

  await page.click('[data-digit="1"]');
  t.ok(await stack.logged((l) => l['event'] === 'DTMF' && l['callSid'] === callSid, 5000), 'the media worker got the key press');
  await waitUntil('the answer to the key press to play', async () => {
    const marks = await counter(page, 'marks-received');
    return (await counter(page, 'media-received')) > greeting.frames + 10 && marks > greeting.played && (await counter(page, 'marks-played')) === marks;
  }, 20_000, 100);
  const answered = (await counter(page, 'audio-played-ms')) - greeting.ms;
  t.ok(answered >= 200, `the key press was answered and the answer played (${answered} ms)`);
  await page.screenshot({ path: path.join(__dirname, '..', 'docs', 'console-softphone.png'), fullPage: true });
  const turn = stack.logs().find((l) => l['event'] === 'TURN' && l['callSid'] === callSid);
  t.ok(turn, 'the media worker logged the key press as a turn');

  // The caller's voice from the WAV, captured and resampled in the page, makes a turn of its own.
  const spoken = (l: Record<string, unknown>) => l['event'] === 'TURN' && l['callSid'] === callSid && l['turn'] === 2;
  t.ok(await stack.logged(spoken, 20_000), 'the microphone\'s speech made a turn');
  // why no words: OFFLINE_STT defaults to dtmf (key presses only), so the voice is an unrecognized turn — but a turn,
  // which the VAD only starts on real speech energy: the WAV's voice arrived where it was in the file.

  // Talking over the answer: the media worker sends `clear`, and the page drops what it had queued at once.
  await waitUntil('a clear from the media worker', async () => (await counter(page, 'clears')) >= 1, 20_000, 100);
  t.ok(await stack.logged((l) => l['event'] === 'BARGE_IN' && l['callSid'] === callSid, 2000), 'the media worker saw the barge-in');
  t.ok((await counter(page, 'marks-cleared')) >= 1, `the pending marks were echoed at once by the clear (${await counter(page, 'marks-cleared')})`);
  const afterClear = await counter(page, 'audio-played-ms');
  await new Promise((r) => setTimeout(r, 300));
  t.ok((await counter(page, 'audio-played-ms')) - afterClear <= 300, 'the cleared answer stopped playing');

  await page.click('[data-action="hangup"]');
  await page.waitForSelector('[data-softphone][data-state="ended"]');
  t.ok(await stack.logged((l) => l['event'] === 'WS_STOP' && l['callSid'] === callSid, 5000), 'the stream closed when the browser hung up');
  t.ok(await page.locator(`.softphone-record a[href="/console/calls/${callSid}"]`).count(), 'the page links to the call\'s record');
  type Rec = { call?: { direction: string; endedAt: number | null; endedBy: string | null; turns: { callerText: string | null }[] } };
  const readRecord = (): Promise<Rec> => page.evaluate(async (sid) => (await (await fetch(`/api/calls/${sid}`)).json()) as Rec, callSid);
  let rec: Rec = {};
  await waitUntil('the call record to be closed', async () => Boolean((rec = await readRecord()).call?.endedAt), 10_000, 200);
  t.equal(rec.call?.direction, 'browser', 'the call\'s record is marked as a browser call');
  t.equal(rec.call?.turns[0]?.callerText, '[DTMF 1]', 'its first turn is the key press');
  t.equal(rec.call?.endedBy, 'caller-hangup', 'it ended by the caller hanging up');
  t.same(consoleErrors, [], 'no script errors on the page');
});
