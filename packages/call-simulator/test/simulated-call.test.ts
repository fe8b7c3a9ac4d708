// Interactive use of SimulatedCall: connect, events as they happen, stop, close, and connection failures.
import t from 'tap';
import { SimulatedCall, SimulatorError } from '../src/index';
import { startEchoServer, startRefusingServer, startReplyServer } from './fixtures/servers';

t.test('connect sends connected and start, then emits media and mark events as the server answers', async (t) => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const call = await SimulatedCall.connect({ url: server.url, streamSid: 'MZtest', accountSid: 'ACtest' });
  t.ok(call.isOpen);
  t.equal(call.streamSid, 'MZtest');
  t.match(call.callSid, /^CA[0-9a-f]{32}$/, 'a callSid is made up when none is given');
  const media: Uint8Array[] = [];
  const sentByServer: string[] = [];
  const echoed: string[] = [];
  call.on('media', (bytes: Uint8Array) => media.push(bytes));
  call.on('mark-sent-by-server', (name: string) => sentByServer.push(name));
  call.on('mark-echoed', (name: string) => echoed.push(name));
  await call.sendAudio(new Uint8Array(480).fill(7));
  await call.sendSilence(100);
  let closeArgs: unknown[] = [];
  call.on('close', (...args: unknown[]) => (closeArgs = args));
  await call.stop();
  t.equal(media.length, 3 + 5, 'one media event per echoed frame');
  t.same(sentByServer.slice(0, 3), ['echo-1', 'echo-2', 'echo-3']);
  t.ok(echoed.length >= 5, `${echoed.length} marks echoed during the call`);
  t.same(closeArgs, [1000, 'stop']);
  t.notOk(call.isOpen);
  const session = server.sessions[0];
  t.match(session?.events[1], { type: 'start', streamSid: 'MZtest', accountSid: 'ACtest' });
  t.equal(session?.events.at(-1)?.type, 'stop');
});

t.test('a clear event lists the marks it released', async (t) => {
  const server = await startReplyServer(1000, 100);
  t.teardown(() => server.close());
  const call = await SimulatedCall.connect({ url: server.url });
  const cleared = await new Promise<unknown>((resolve) => call.on('clear', resolve));
  t.same(cleared, ['reply']);
  await call.close();
  t.equal(call.result().closeCode, 1000);
});

t.test('sending after the server closed rejects with SIM_ERR_CLOSED', async (t) => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const call = await SimulatedCall.connect({ url: server.url });
  server.sessions[0]?.socket.close(1011, 'worker error');
  await call.closed();
  await t.rejects(call.sendSilence(100), { code: 'SIM_ERR_CLOSED' });
  t.equal(call.closeCode, 1011);
  t.equal(call.closeReason, 'worker error');
  t.doesNotThrow(() => call.sendDtmf('1'), 'dtmf after close is dropped quietly');
});

t.test('a refused upgrade rejects connect with the HTTP status', async (t) => {
  const server = await startRefusingServer();
  t.teardown(() => server.close());
  const rejected = await SimulatedCall.connect({ url: server.url }).catch((err: unknown) => err);
  t.ok(rejected instanceof SimulatorError);
  t.match(rejected, { code: 'SIM_ERR_UPGRADE_REFUSED', upstreamStatus: 404 });
});

t.test('an error listener hears connection failures; without one nothing throws', async (t) => {
  const call = new SimulatedCall({ url: 'ws://127.0.0.1:1/ws/twilio-media' });
  const heard: Error[] = [];
  call.on('error', (err: Error) => heard.push(err));
  await t.rejects(call.ready(), { code: 'SIM_ERR_CONNECT_FAILED' });
  await call.closed();
  t.equal(heard.length, 1);
  const quiet = new SimulatedCall({ url: 'ws://127.0.0.1:1/ws/twilio-media' });
  await quiet.closed();
  t.match(quiet.result().errors, [/SIM_ERR_CONNECT_FAILED/]);
});
