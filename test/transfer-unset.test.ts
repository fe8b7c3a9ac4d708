// Finding 2.1 through the router: with no TRANSFER_NUMBER the scripted agent offers no transfer, says it cannot, and nothing dials.
import t from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import { loadAgentScript, startFakeAzureSpeech } from '@tva/providers';
import { startStack } from '../apps/cli/src/stack/start-stack';
import { postForm } from '../apps/cli/src/stack/http-get';

const script = loadAgentScript();

t.test('no TRANSFER_NUMBER, scripted agent (no OpenAI key), fake Azure Speech', async (t) => {
  const azure = await startFakeAzureSpeech({ expectedKey: 'azure-test-key', tts: { msPerChar: 10, chunkBytes: 1600, chunkDelayMs: 5 } });
  const stack = await startStack({ AGENT: 'voice', AZURE_SPEECH_KEY: 'azure-test-key', AZURE_SPEECH_HOST: azure.url, LOG_TRANSCRIPTS: 'true' });
  t.teardown(async () => {
    await stack.stop();
    await azure.close();
  });
  await stack.waitFor('greeting and apology cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'));
  const spoken = (): string[] => azure.ttsTurns.map((turn) => turn.text);

  t.test('the greeting offers no "0 for a representative"', async (t) => {
    t.ok(spoken().includes(script.greeting.withoutTransfer?.he ?? '?'), 'the greeting without the transfer option was synthesized');
    t.notOk(spoken().includes(script.greeting.he), 'the one that offers 0 never was');
  });

  t.test('pressing 0 gets the plain "cannot transfer" line; the call goes on; stream_ended never dials', async (t) => {
    const c = await SimulatedCall.connect({ url: stack.wsUrl });
    t.teardown(() => c.terminate());
    await stack.waitFor('greeting audio', () => c.result().received.length > 0, 3000);
    c.sendDtmf('0');
    const line = script.transferUnavailable?.he ?? '?';
    await stack.waitFor('the "cannot transfer" line', () => spoken().some((text) => line.startsWith(text)), 8000);
    await stack.waitFor('its audio', () => c.result().marks.filter((m) => m.echoedAtMs !== null).length >= 3, 8000);
    t.ok(c.isOpen, 'no transfer: the stream stays open');
    t.notOk(spoken().some((text) => text.includes('מעבירה')), 'it never says it is transferring');
    await c.stop();
    await stack.waitFor('outcome', () => stack.logs().some((l) => l['event'] === 'STREAM_OUTCOME' && l['callSid'] === c.callSid), 5000);
    const ended = await postForm(`${stack.baseUrl}/webhook/stream_ended`, { CallSid: c.callSid });
    t.equal(ended.status, 200);
    t.notMatch(ended.body, /<Dial/, 'never a <Dial>, least of all <Dial>unset</Dial>');
  });
});
