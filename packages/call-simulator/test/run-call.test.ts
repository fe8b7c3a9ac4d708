// Real calls over real WebSockets against tiny test servers: echo, reply + mark, clear, deadline, refused upgrade.
import t from 'tap';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { runCall } from '../src/index';
import { startEchoServer, startRefusingServer, startReplyServer, startServer } from './fixtures/servers';

t.test('an echo server gets every frame back, with the start, parameters, dtmf and stop it expects', async (t) => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const audio = new Uint8Array(4000).fill(0x42); // 500 ms
  const result = await runCall({
    url: server.url,
    audio,
    dtmf: ['1', '#'],
    trailingSilenceMs: 200,
    customParameters: { call_sid: 'CAparam', token: 'abc' },
    callSid: 'CAfixed',
  });
  t.same(result.errors, []);
  t.equal(result.sentBytes, 4000 + 1600, '500 ms of audio and 200 ms of silence went out');
  t.equal(result.received.byteLength, result.sentBytes, 'every frame came back');
  t.ok(result.received.subarray(0, 4000).every((b) => b === 0x42), 'the audio came back unchanged');
  const session = server.sessions[0];
  if (!session) throw new Error('no session');
  t.same(session.errors, [], 'the server saw a valid protocol throughout');
  const types = session.events.map((e) => e.type);
  t.equal(types[0], 'connected');
  t.match(session.events[1], { type: 'start', callSid: 'CAfixed', customParameters: { call_sid: 'CAparam', token: 'abc' } });
  t.same(
    session.events.filter((e) => e.type === 'dtmf').map((e) => e.type === 'dtmf' && e.digit),
    ['1', '#'],
  );
  t.equal(types.at(-1), 'stop');
  const media = session.events.filter((e) => e.type === 'media');
  t.equal(media.length, 35, '35 frames of 160 bytes');
  t.same(
    media.map((e) => e.type === 'media' && e.chunk),
    Array.from({ length: 35 }, (_, i) => i + 1),
    'chunks count up from 1',
  );
  const seqs = session.events.flatMap((e) => (e.type === 'connected' ? [] : [e.sequenceNumber]));
  t.ok(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] as number)), 'sequence numbers only go up');
  t.equal(result.closeCode, 1000);
  t.equal(result.closeReason, 'stop');
});

t.test('a mark sent after a second of audio is echoed after about a second, when it has played', async (t) => {
  const server = await startReplyServer(1000);
  t.teardown(() => server.close());
  const result = await runCall({ url: server.url, trailingSilenceMs: 1400 });
  const mark = result.marks[0];
  if (!mark || mark.echoedAtMs === null) throw new Error('the mark was not echoed');
  const delay = mark.echoedAtMs - mark.sentAtMs;
  t.ok(delay >= 990 && delay <= 1150, `echoed ${delay} ms after it was sent, audio was 1000 ms`);
  t.equal(mark.clearedBeforePlay, false);
  t.equal(result.played.byteLength, 8000, 'the whole reply played');
  const echoedAtServer = server.sessions[0]?.markEchoes.get('reply');
  t.ok(echoedAtServer !== undefined && echoedAtServer >= 990, 'the server got the echo after the audio length');
  t.equal(result.gaps.length, 0);
});

t.test('echoed marks follow the audio frame by frame', async (t) => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const result = await runCall({ url: server.url, audio: new Uint8Array(8000), trailingSilenceMs: 300 });
  const echoed = result.marks.filter((m) => m.echoedAtMs !== null);
  t.ok(echoed.length >= result.marks.length * 0.8, `${echoed.length} of ${result.marks.length} marks echoed before hang-up`);
  t.ok(
    result.marks.slice(echoed.length).every((m) => m.echoedAtMs === null),
    'only the marks of audio still playing at hang-up went unanswered',
  );
  const delays = echoed.map((m) => (m.echoedAtMs as number) - m.sentAtMs).sort((a, b) => a - b);
  // 20 ms of audio precedes each mark; a few ms of slack for rounding and the mark arriving after its media.
  t.ok((delays[0] as number) >= 15, `no mark comes back before its 20 ms of audio played (earliest ${delays[0]} ms)`);
  const median = delays[Math.floor(delays.length / 2)] as number;
  t.ok(median <= 120, `the median echo comes ${median} ms after its audio arrived`);
  t.same(
    echoed.map((m) => m.name),
    echoed.map((_, i) => `echo-${i + 1}`),
    'marks come back in order',
  );
});

t.test('a clear drops the rest of the reply and echoes the pending mark at once', async (t) => {
  const server = await startReplyServer(2000, 300);
  t.teardown(() => server.close());
  const result = await runCall({ url: server.url, trailingSilenceMs: 700 });
  t.equal(result.clears.length, 1);
  const mark = result.marks[0];
  if (!mark || mark.echoedAtMs === null) throw new Error('the mark was not echoed');
  t.equal(mark.clearedBeforePlay, true, 'the echo is flagged as released by the clear');
  t.equal(mark.echoedAtMs, result.clears[0], 'echoed when the clear came');
  t.equal(result.received.byteLength, 16000, 'all 2 s were received');
  const playedMs = result.played.byteLength / 8;
  t.ok(playedMs >= 270 && playedMs <= 420, `only ~300 ms played (${playedMs} ms)`);
  t.ok(server.sessions[0]?.markEchoes.has('reply'), 'the server got the echo');
  const events = result.timeline.map((e) => e.event);
  t.ok(events.indexOf('clear') < events.indexOf('mark-echoed'), 'the timeline shows the clear then the echo');
});

t.test('the timeline tells the call in order', async (t) => {
  const server = await startReplyServer(300);
  t.teardown(() => server.close());
  const result = await runCall({
    url: server.url,
    audio: new Uint8Array(800),
    dtmf: ['5'],
    trailingSilenceMs: 400,
    protocols: ['audio.twilio.com'],
  });
  const events = result.timeline.map((e) => e.event);
  t.same(events, ['open', 'connected', 'start', 'first-audio', 'dtmf', 'mark-echoed', 'stop', 'close']);
  t.equal(result.protocol, 'audio.twilio.com', 'the offered subprotocol was echoed');
  t.equal(result.timeline[0]?.detail, 'subprotocol audio.twilio.com');
  const times = result.timeline.map((e) => e.atMs);
  t.same(times, [...times].sort((a, b) => a - b), 'times never go backwards');
  t.ok(result.firstAudioMs !== null && result.firstAudioMs < 200);
});

t.test('without an offered subprotocol none is negotiated', async (t) => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const result = await runCall({ url: server.url, trailingSilenceMs: 40 });
  t.equal(result.protocol, '');
});

t.test('a silence between replies is recorded as a gap', async (t) => {
  const server = await startServer((session, event, send) => {
    if (event.type !== 'start') return;
    send(session.protocol.send({ type: 'media', payload: new Uint8Array(800) }));
    setTimeout(() => send(session.protocol.send({ type: 'media', payload: new Uint8Array(800) })), 400);
  });
  t.teardown(() => server.close());
  const result = await runCall({ url: server.url, trailingSilenceMs: 700 });
  t.equal(result.gaps.length, 1);
  const gap = result.gaps[0];
  t.ok(gap && gap.ms >= 280 && gap.ms <= 450, `a ~300 ms gap (${gap?.ms.toFixed(0)} ms)`);
  t.ok(result.timeline.some((e) => e.event === 'gap'));
});

t.test('frames a real Twilio would refuse are recorded with its warning and ignored', async (t) => {
  const server = await startServer((session, event) => {
    if (event.type !== 'start') return;
    const sid = session.protocol.streamSid;
    session.socket.send(JSON.stringify({ event: 'clear', streamSid: sid, extra: 1 }));
    session.socket.send(JSON.stringify({ event: 'clear', streamSid: 'MZwrong' }));
    session.socket.send(Buffer.from([1, 2, 3]));
    session.socket.send('{not json');
  });
  t.teardown(() => server.close());
  const result = await runCall({ url: server.url, trailingSilenceMs: 200 });
  t.equal(result.errors.length, 4);
  t.match(result.errors[0], /^31951 TMS_ERR_BAD_FIELD/);
  t.match(result.errors[1], /^31951 TMS_ERR_STREAM_SID_MISMATCH/);
  t.match(result.errors[2], /^31950 TMS_ERR_BINARY_FRAME/);
  t.match(result.errors[3], /^31951 TMS_ERR_INVALID_JSON/);
  t.equal(result.clears.length, 0, 'the invalid clears were ignored');
  t.equal(result.closeCode, 1000, 'the call went on');
});

t.test('a server that never hangs up is cut at the hard deadline', async (t) => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const started = Date.now();
  const result = await runCall({ url: server.url, trailingSilenceMs: 0, stopAtEnd: false, maxDurationMs: 400 });
  const took = Date.now() - started;
  t.ok(took < 1500, `returned after ${took} ms`);
  t.match(result.errors, [/SIM_ERR_DEADLINE/]);
  t.equal(result.closeCode, 1006, 'the socket was dropped, not closed cleanly');
});

t.test('the deadline also covers a connection that never answers', async (t) => {
  const sockets: Socket[] = [];
  // Accepts TCP and never answers the upgrade.
  const silent = createServer((socket) => {
    socket.on('error', () => undefined);
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const port = (silent.address() as AddressInfo).port;
  const result = await runCall({ url: `ws://127.0.0.1:${port}/ws/twilio-media`, connectTimeoutMs: 300, trailingSilenceMs: 0 });
  t.match(result.errors, [/SIM_ERR_CONNECT_TIMEOUT/]);
  t.equal(result.received.byteLength, 0);
  t.ok(result.durationMs < 1000);
});

t.test('a refused upgrade is recorded with its HTTP status and body', async (t) => {
  const server = await startRefusingServer();
  t.teardown(() => server.close());
  const result = await runCall({ url: server.url, trailingSilenceMs: 0 });
  t.equal(result.upgradeStatus, 404);
  t.equal(result.upgradeBody, 'not found');
  t.match(result.errors, [/SIM_ERR_UPGRADE_REFUSED.*404/]);
  t.same(
    result.timeline.map((e) => e.event),
    ['upgrade-refused', 'close'],
  );
  t.equal(result.closeCode, 1006);
});

t.test('a port with nothing listening fails fast with a connect error', async (t) => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const result = await runCall({ url: `ws://127.0.0.1:${port}`, trailingSilenceMs: 0 });
  t.match(result.errors, [/SIM_ERR_CONNECT_FAILED.*ECONNREFUSED/]);
  t.equal(result.received.byteLength, 0);
});

t.test('a bad URL is reported, not thrown', async (t) => {
  const result = await runCall({ url: 'ftp://nowhere', trailingSilenceMs: 0 });
  t.match(result.errors, [/SIM_ERR_BAD_URL/]);
  t.equal(result.closeCode, null);
});
