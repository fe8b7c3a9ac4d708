// In-process: a frame that breaks the protocol closes only its own stream with the protocol's code; the agent never sees it.
import t from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import { startMediaServer } from './helpers/start-media-server';
import { recordingAgents } from './helpers/recording-agent';

for (const [label, digit] of [
  ['a 20 KB "digit"', '7'.repeat(20 * 1024)],
  ['two digits in one', '12'],
  ['a word', 'transfer me'],
] as const) {
  t.test(`a dtmf event carrying ${label} closes the stream with 1007 TMS_ERR_BAD_FIELD; the agent gets nothing`, async (t) => {
    const agents = recordingAgents();
    const media = await startMediaServer({ authToken: 'media-test-auth-token', createAgent: agents.create });
    t.teardown(() => media.close());
    const other = await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), ...media.callParams() });
    const call = await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), ...media.callParams() });
    await media.waitFor('two agents', () => agents.made.length === 2);
    call.sendDtmf('1');
    call.sendDtmf(digit);
    await call.closed();
    t.equal(call.closeCode, 1007);
    t.equal(call.closeReason, 'TMS_ERR_BAD_FIELD');
    t.same(agents.made[1]?.digits, ['1'], 'only the real key press reached the agent');
    const line = media.logs().find((l) => l['code'] === 'TMS_ERR_BAD_FIELD');
    t.match(line, { level: 'warn', event: 'WS_REJECT', closeCode: 1007 });
    t.ok(JSON.stringify(line).length < 1000, 'the log line does not carry the bad value');
    await media.waitFor('the outcome', () => media.outcomes.length === 1);
    t.match(media.outcomes[0], { endedBy: 'protocol-error', code: 'TMS_ERR_BAD_FIELD', closeCode: 1007 });
    t.ok(other.isOpen, 'the other call goes on');
    other.sendDtmf('#');
    await media.waitFor('the other call still hears keys', () => agents.made[0]?.digits.includes('#') === true);
    await other.close();
  });
}

t.test('every keypad key, 0-9 * # A-D, reaches the agent', async (t) => {
  const agents = recordingAgents();
  const media = await startMediaServer({ createAgent: agents.create });
  t.teardown(() => media.close());
  const call = await SimulatedCall.connect({ url: media.url, ...media.callParams() });
  const keys = [...'012345678*#ABCD']; // 9 hangs up (RecordingAgent), so it goes last
  for (const k of keys) call.sendDtmf(k);
  await media.waitFor('all keys', () => agents.made[0]?.digits.length === keys.length);
  t.same(agents.made[0]?.digits, keys);
  call.sendDtmf('9');
  await call.closed();
  t.equal(call.closeCode, 1000);
});
