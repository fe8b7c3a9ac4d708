// In-process: drain() stops new streams, lets each call finish its turn, then hands it over with 1001 server-shutdown.
import t from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import { startMediaServer } from './helpers/start-media-server';
import { recordingAgents } from './helpers/recording-agent';
import { openSocket } from './helpers/open-socket';

t.test('idle calls close at once, a busy one when its turn ends; every outcome is server-shutdown; no new streams', async (t) => {
  const agents = recordingAgents();
  const media = await startMediaServer({ createAgent: agents.create });
  t.teardown(() => media.close());
  const calls = await Promise.all([1, 2, 3].map(() => SimulatedCall.connect({ url: media.url, ...media.callParams() })));
  await media.waitFor('three agents', () => agents.made.length === 3);
  const busy = agents.made[1];
  if (busy) busy.busy = true;
  const drained = media.media.drain(5000);
  await Promise.all([calls[0]?.closed(), calls[2]?.closed()]);
  t.ok(calls[1]?.isOpen, 'the busy call is still finishing its turn');
  await t.rejects(openSocket(media), 'no new stream while draining (the server stopped listening)');
  if (busy) busy.busy = false;
  await drained;
  for (const c of calls) t.match(c.result(), { closeCode: 1001, closeReason: 'server-shutdown' });
  await media.waitFor('three outcomes', () => media.outcomes.length === 3);
  t.ok(media.outcomes.every((o) => o.endedBy === 'server-shutdown' && o.closeCode === 1001), 'each call is handed to RECORD mode');
  t.ok(await media.logged((l) => l['event'] === 'DRAIN'));
});

t.test('a call still busy at the deadline is closed anyway', async (t) => {
  const agents = recordingAgents();
  const media = await startMediaServer({ createAgent: agents.create });
  t.teardown(() => media.close());
  const call = await SimulatedCall.connect({ url: media.url, ...media.callParams() });
  await media.waitFor('the agent', () => agents.made.length === 1);
  (agents.made[0] as { busy: boolean }).busy = true;
  const started = Date.now();
  await media.media.drain(300);
  t.ok(Date.now() - started >= 280, 'drain waited for the turn until the deadline');
  await call.closed();
  t.match(call.result(), { closeCode: 1001, closeReason: 'server-shutdown' });
});
