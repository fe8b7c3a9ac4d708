// In-process: sockets that never send `start` have a budget of their own; they can never lock a real call out.
import t from 'tap';
import WebSocket from 'ws';
import { SimulatedCall } from '@tva/call-simulator';
import { startMediaServer } from './helpers/start-media-server';
import { closeCode, openSocket } from './helpers/open-socket';

const AUTH = 'media-test-auth-token';

t.test('hundreds of idle upgrades: the oldest are closed with 1008, and a real call still streams', async (t) => {
  const media = await startMediaServer({ authToken: AUTH, maxCalls: 2, maxUnstarted: 20, startTimeoutMs: 60_000 });
  t.teardown(() => media.close());
  const idle: WebSocket[] = [];
  for (let i = 0; i < 200; i++) idle.push(await openSocket(media));
  t.teardown(() => idle.forEach((ws) => ws.terminate()));
  const codes = await Promise.all(idle.slice(0, 180).map(closeCode));
  t.ok(codes.every((c) => c === 1008), 'the 180 oldest were closed with 1008');
  t.ok(idle.slice(180).every((ws) => ws.readyState === WebSocket.OPEN), 'the 20 newest are still open (the budget)');
  const evictions = media.logs().filter((l) => l['code'] === 'MEDIA_ERR_UNSTARTED_EVICTED');
  t.equal(evictions.length, 180, 'one warn line per eviction');
  t.match(evictions[0], { level: 'warn', event: 'WS_REJECT', waiting: 20, maxUnstarted: 20 });

  const call = await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), ...media.callParams() });
  await call.sendSilence(200);
  await media.waitFor('the echo', () => call.result().received.length > 0);
  t.ok(call.isOpen, 'the real call is live and hears its echo');
  t.equal(await closeCode(idle[180] as WebSocket), 1008, 'its upgrade pushed out the oldest idle socket');
  await call.close();
});

t.test('a flood of idle upgrades from one address evicts its own sockets, never a caller waiting to send start', async (t) => {
  const media = await startMediaServer({ authToken: AUTH, maxCalls: 5, maxUnstarted: 20, startTimeoutMs: 60_000 });
  t.teardown(() => media.close());
  // why: the router passes the one client address it trusts in X-Forwarded-For; here the test plays the router.
  const caller = await openSocket(media, { 'x-forwarded-for': '203.0.113.7' });
  t.teardown(() => caller.terminate());
  const flood: WebSocket[] = [];
  for (let i = 0; i < 100; i++) flood.push(await openSocket(media, { 'x-forwarded-for': '198.51.100.1' }));
  t.teardown(() => flood.forEach((ws) => ws.terminate()));
  const codes = await Promise.all(flood.slice(0, 81).map(closeCode));
  t.ok(codes.every((c) => c === 1008), 'the flood\'s 81 oldest sockets were closed with 1008');
  t.equal(caller.readyState, WebSocket.OPEN, 'the caller between its 101 and its start is still open');
  const evicted = media.logs().filter((l) => l['code'] === 'MEDIA_ERR_UNSTARTED_EVICTED');
  t.equal(evicted.length, 81);
  t.ok(evicted.every((l) => l['remote'] === '198.51.100.1'), 'every eviction hit the flooding address');
});

t.test('idle sockets do not count against MAX_CALLS: only started calls fill it', async (t) => {
  const media = await startMediaServer({ authToken: AUTH, maxCalls: 2, maxUnstarted: 5, startTimeoutMs: 60_000 });
  t.teardown(() => media.close());
  const idle = await Promise.all(Array.from({ length: 5 }, () => openSocket(media)));
  t.teardown(() => idle.forEach((ws) => ws.terminate()));
  const calls = [];
  for (let i = 0; i < 2; i++) calls.push(await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), ...media.callParams() }));
  await media.waitFor('two calls started', () => media.logs().filter((l) => l['event'] === 'WS_START').length === 2);
  await t.rejects(openSocket(media), /HTTP 503/, 'a third call gets 503: MAX_CALLS counts started calls');
  t.ok(await media.logged((l) => l['code'] === 'MEDIA_ERR_TOO_MANY_CALLS' && l['calls'] === 2));
  await Promise.all(calls.map((c) => c.close()));
});

t.test('an idle socket still closes at its start timeout', async (t) => {
  const media = await startMediaServer({ authToken: AUTH, startTimeoutMs: 200 });
  t.teardown(() => media.close());
  const ws = await openSocket(media);
  t.equal(await closeCode(ws), 1008);
  t.ok(await media.logged((l) => l['code'] === 'TMS_ERR_START_TIMEOUT'));
  t.same(media.outcomes, [], 'an unstarted socket reports no outcome');
});
