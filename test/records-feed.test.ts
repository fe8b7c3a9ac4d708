// Call records under pm2: a simulated call's turns reach the store, turns reported before a media SIGKILL survive, and a stack restart keeps them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseTwiml } from '@tva/call-simulator';
import { maskNumber, openRecordsStore, type CallDetail, type RecordsStore } from '@tva/records';
import { startFakeAzureSpeech, startFakeOpenAI } from '@tva/providers';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { fakeProvidersEnv } from '../apps/cli/src/stack/fake-providers-env';
import { sid } from '../test-support/twilio-sids';
import { twilioCaller } from '../test-support/twilio-caller';

const ACCOUNT = sid('AC', 'recordsfeed');
const TOKEN = 'records-feed-auth-token';
const ANSWER = 'אנחנו פתוחים מתשע עד שש. We are open nine to six.';
const FROM = '+972501234567';
const TO = '+97231234567';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('call records fed by the media worker', async (t) => {
  const openai = await startFakeOpenAI({ apiKey: 'sk-test', reply: () => ({ text: ANSWER }) });
  const azure = await startFakeAzureSpeech({ expectedKey: 'k', transcripts: [], tts: { msPerChar: 10, chunkBytes: 1600, chunkDelayMs: 10 } });
  // why our own DATA_DIR: the second stack must find the first one's records (startStack removes only its own temp dir).
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tva-records-feed-'));
  const env = {
    ...fakeProvidersEnv({ azureUrl: azure.url, azureKey: 'k', openaiUrl: openai.baseURL, openaiKey: 'sk-test' }),
    LOG_LEVEL: 'info',
    GREETING_TEXT: 'שלום, כאן המספרה.',
    TWILIO_ACCOUNT_SID: ACCOUNT,
    TWILIO_AUTH_TOKEN: TOKEN,
    DATA_DIR: dataDir,
  };
  let stack = await startStack(env);
  let store: RecordsStore | undefined;
  t.teardown(async () => {
    await store?.close();
    await stack.stop();
    await Promise.all([openai.close(), azure.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });
  await stack.waitFor('phrases cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'), 20000);
  await stack.waitFor('records open', () => stack.logs().some((l) => l['event'] === 'RECORDS' && l['driver'] === 'sqlite'), 5000);
  store = await openRecordsStore({ dataDir });
  const read = (callSid: string, ok: (c: CallDetail) => boolean) => until(`the record of ${callSid}`, async () => {
    const c = await store?.getCall(callSid);
    return c && ok(c) ? c : undefined;
  });

  const hungUp = sid('CA', 'records-hangup');
  const killed = sid('CA', 'records-killed');

  await t.test('a call\'s numbers, providers, turn (as heard, with its spans), DTMF and ending are recorded', async (t) => {
    const { call } = await twilioCaller(stack, TOKEN).placeCall(hungUp, { AccountSid: ACCOUNT, From: FROM, To: TO });
    await call.sendSilence(400);
    call.sendDtmf('1');
    await stack.waitFor('the turn was logged', () => stack.logs().some((l) => l['event'] === 'TURN' && l['callSid'] === hungUp), 10000);
    await call.sendSilence(800);
    await call.stop();
    const rec = await read(hungUp, (c) => c.turns.length >= 1 && c.endedBy !== null);
    t.equal(rec.direction, 'phone');
    t.equal(rec.from, maskNumber(FROM), 'the caller\'s number is masked (RECORDS_MASK_NUMBERS defaults on)');
    t.ok(rec.providers.stt && rec.providers.llm && rec.providers.tts, `providers recorded: ${JSON.stringify(rec.providers)}`);
    t.equal(rec.endedBy, 'caller-hangup');
    t.same(rec.modes.map((m) => m.mode), ['stream']);
    const turn = rec.turns[0];
    t.equal(turn?.mode, 'stream');
    t.equal(turn?.agentText, ANSWER, 'the agent\'s words as heard (Hebrew and English)');
    t.equal(turn?.interrupted, false);
    t.type(turn?.spans['endOfSpeech→firstAudio'], 'number', `the TURN line's spans: ${JSON.stringify(turn?.spans)}`);
    t.ok(rec.events.some((e) => e.kind === 'dtmf' && e.detail === '1'), 'the key press is on the timeline');
    const secretFree = JSON.stringify(rec);
    t.notOk(secretFree.includes(TOKEN) || secretFree.includes('sk-test'), 'no secret in the record');
  });

  await t.test('turns reported before a SIGKILL of the media worker are in the record; the call goes on in RECORD mode', async (t) => {
    const { call, action } = await twilioCaller(stack, TOKEN).placeCall(killed, { AccountSid: ACCOUNT, From: FROM, To: TO });
    t.teardown(() => call.terminate());
    await call.sendSilence(400);
    call.sendDtmf('2');
    await stack.waitFor('the turn was logged', () => stack.logs().some((l) => l['event'] === 'TURN' && l['callSid'] === killed), 10000);
    // why 300 ms: the feed posts every 100 ms; what was reported by then must survive the kill.
    await new Promise((r) => setTimeout(r, 300));
    process.kill((await stack.pidOf('media')) as number, 'SIGKILL');
    await call.closed();
    const ended = await twilioCaller(stack, TOKEN).post(action, { CallSid: killed, AccountSid: ACCOUNT });
    const record = parseTwiml(ended.body).find((v) => v.verb === 'Record');
    t.ok(record, 'RECORD TwiML after the kill');
    const rec = await read(killed, (c) => c.turns.length >= 1 && c.endedBy === 'fallback');
    t.equal(rec.turns[0]?.agentText, ANSWER, 'the turn before the kill is in the record');
    t.same(rec.modes.map((m) => m.mode), ['stream', 'record'], 'the mode timeline: streamed, then RECORD');
    t.ok(rec.fallback && rec.events.some((e) => e.kind === 'fallback'), 'the fallback is on the timeline');

    // The call goes on in RECORD mode: a key press answered, then the caller hangs up.
    const recordAction = new URL(record?.attrs['action'] as string, stack.baseUrl).toString();
    await twilioCaller(stack, TOKEN).post(recordAction, { CallSid: killed, AccountSid: ACCOUNT, Digits: '3', RecordingDuration: '0' });
    await twilioCaller(stack, TOKEN).post(recordAction, { CallSid: killed, AccountSid: ACCOUNT, CallStatus: 'completed', RecordingDuration: '0' });
    const after = await read(killed, (c) => c.turns.some((x) => x.mode === 'record') && c.endedBy === 'caller-hangup');
    t.match(after.turns.find((x) => x.mode === 'record'), { agentText: ANSWER, interrupted: false }, 'the RECORD-mode turn is in the same record');
    t.equal(after.endedBy, 'caller-hangup', 'and how the call really ended');
    await stack.waitFor('media back', async () => (await stack.pidOf('media')) !== undefined, 15000);
  });

  await t.test('a restart of the whole stack keeps every record', async (t) => {
    await store?.close();
    store = undefined;
    await stack.stop();
    stack = await startStack(env);
    await stack.waitFor('records open again', () => stack.logs().some((l) => l['event'] === 'RECORDS' && l['driver'] === 'sqlite'), 5000);
    store = await openRecordsStore({ dataDir });
    const a = await store.getCall(hungUp);
    const b = await store.getCall(killed);
    t.equal(a?.turns[0]?.agentText, ANSWER, 'the hung-up call\'s turn survived');
    t.equal(a?.endedBy, 'caller-hangup');
    t.equal(b?.turns[0]?.agentText, ANSWER, 'the killed call\'s turn survived');
  });
});
