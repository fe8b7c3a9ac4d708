// Graceful shutdown under pm2: SIGTERM during 20 live calls — each finishes its turn, then continues in RECORD mode; none goes silent.
import t from 'tap';
import { SimulatedCall, parseTwiml } from '@tva/call-simulator';
import { startFakeAzureSpeech, startFakeOpenAI } from '@tva/providers';
import { startStack } from '../apps/cli/src/stack/start-stack';
import { fakeProvidersEnv } from '../apps/cli/src/stack/fake-providers-env';
import { httpRequest, postForm } from '../apps/cli/src/stack/http-get';
import { within } from '../test-support/wait-until';

const ANSWER = 'זו תשובה באורך בינוני, שתיקח כמה שניות להשמיע.';

t.test('SIGTERM to the media worker during 20 live calls', async (t) => {
  const openai = await startFakeOpenAI({ apiKey: 'sk-test', firstTokenDelayMs: 300, reply: () => ({ text: ANSWER }) });
  const azure = await startFakeAzureSpeech({ expectedKey: 'k', tts: { msPerChar: 40, chunkBytes: 1600, chunkDelayMs: 30 } });
  const stack = await startStack({
    ...fakeProvidersEnv({ azureUrl: azure.url, azureKey: 'k', openaiUrl: openai.baseURL, openaiKey: 'sk-test' }),
    LOG_LEVEL: 'info',
    GREETING_TEXT: 'שלום',
  });
  t.teardown(async () => {
    await stack.stop();
    await openai.close();
    await azure.close();
  });
  await stack.waitFor('phrases cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'), 20000);

  const calls = await Promise.all(Array.from({ length: 20 }, () => SimulatedCall.connect({ url: stack.wsUrl })));
  t.teardown(() => calls.forEach((c) => c.terminate()));
  // every caller presses a key: a turn starts, and its answer is mid-flight when the signal arrives
  calls.forEach((c, i) => c.sendDtmf(String(i % 10)));
  await stack.waitFor('answers under way', () => azure.ttsTurns.filter((x) => x.text === ANSWER).length >= 10, 10000);
  const pid = (await stack.pidOf('media')) as number;
  const signalledAt = Date.now();
  process.kill(pid, 'SIGTERM');

  await within('every stream to close', Promise.all(calls.map((c) => c.closed())), 9000).catch(() => undefined);
  const results = calls.map((c) => c.result());
  t.ok(results.every((r) => r.closeCode === 1001 && r.closeReason === 'server-shutdown'), `every stream closed 1001 server-shutdown (${results.map((r) => r.closeCode).join(',')})`);
  const answered = results.filter((r) => r.received.length > 8000).length;
  t.equal(answered, 20, 'every caller heard its answer before the hand-over (the current turn finished)');
  await stack.waitFor('a new media worker', async () => {
    const now = await stack.pidOf('media');
    return now !== undefined && now !== pid;
  }, 15000);
  const exitMs = Date.now() - signalledAt;
  t.ok(exitMs < 8000 + 3000, `drained and replaced within kill_timeout (${exitMs} ms)`);
  t.ok(await stack.logged((l) => l['event'] === 'DRAIN'), 'DRAIN logged');

  // Twilio then requests each call's <Connect action>: every one continues in RECORD mode.
  for (const r of results) {
    const res = await postForm(`${stack.baseUrl}/webhook/stream_ended`, { CallSid: r.callSid });
    const verbs = parseTwiml(res.body).map((v) => v.verb);
    t.ok(verbs.includes('Record'), `call ${r.callSid.slice(-6)} continues with <Record> (${verbs.join(',')})`);
  }
  t.equal((await httpRequest(`${stack.baseUrl}/healthz`)).status, 200);

  t.test('pm2 reload media during live calls drops none: each is handed to RECORD mode, new calls stream again', async (t) => {
    await stack.waitFor('media up', async () => (await httpRequest(`http://127.0.0.1:${stack.mediaPort}/healthz`).catch(() => ({ status: 0 }))).status === 200, 15000);
    const live = await Promise.all(Array.from({ length: 5 }, () => SimulatedCall.connect({ url: stack.wsUrl })));
    t.teardown(() => live.forEach((c) => c.terminate()));
    const before = await stack.pidOf('media');
    await stack.pm2(['reload', 'media']);
    await within('every live stream to close', Promise.all(live.map((c) => c.closed())), 9000).catch(() => undefined);
    for (const c of live) {
      const r = c.result();
      t.equal(r.closeReason, 'server-shutdown', 'closed by the drain, not dropped');
      const verbs = parseTwiml((await postForm(`${stack.baseUrl}/webhook/stream_ended`, { CallSid: r.callSid })).body).map((v) => v.verb);
      t.ok(verbs.includes('Record'), 'continues in RECORD mode');
    }
    await stack.waitFor('new media worker', async () => {
      const now = await stack.pidOf('media');
      return now !== undefined && now !== before && (await httpRequest(`http://127.0.0.1:${stack.mediaPort}/healthz`).catch(() => ({ status: 0 }))).status === 200;
    }, 15000);
    const after = await SimulatedCall.connect({ url: stack.wsUrl });
    t.teardown(() => after.terminate());
    await stack.waitFor('greeting on a new call', () => after.result().received.length > 0, 5000);
    t.pass('a new call streams after the reload');
  });
});
