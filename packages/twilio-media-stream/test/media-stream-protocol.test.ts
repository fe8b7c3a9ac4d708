// Tests a whole stream through MediaStreamProtocol: events out, frames out, sid checks, limits and counters.
import t from 'tap';
import { DTMF_DIGITS, MediaStreamProtocol, parseServerMessage, ProtocolError, twilioMessage } from '../src/index';
import { SIDS, TWILIO_FRAMES } from './fixtures/messages';

const { streamSid, callSid, accountSid } = SIDS;

t.test('a whole call yields one event per frame in order', async (t) => {
  const p = new MediaStreamProtocol();
  const events = Object.values(TWILIO_FRAMES).flatMap((text) => p.receive(text));
  t.same(
    events.map((e) => e.type),
    ['connected', 'start', 'media', 'dtmf', 'mark', 'stop'],
  );
  t.match(events[1], {
    type: 'start',
    sequenceNumber: 1,
    streamSid,
    callSid,
    accountSid,
    tracks: ['inbound'],
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    customParameters: { call_sid: callSid },
  });
  const media = events[2];
  if (media?.type !== 'media') throw new Error('no media event');
  t.ok(Buffer.isBuffer(media.payload));
  t.equal(media.payload.length, 160);
  t.equal(media.timestamp, 52);
  t.equal(media.chunk, 1);
  t.equal(media.track, 'inbound');
  t.match(events[3], { type: 'dtmf', digit: '1', track: 'inbound_track', sequenceNumber: 5 });
  t.match(events[4], { type: 'mark', name: 'reply-7', sequenceNumber: 103 });
  t.match(events[5], { type: 'stop', callSid, accountSid, sequenceNumber: 250 });
  t.equal(p.state, 'stopped');
  t.equal(p.streamSid, streamSid);
  t.equal(p.callSid, callSid);
  t.equal(p.accountSid, accountSid);
  t.match(p.stats, { framesReceived: 6, mediaReceived: 1, mediaBytesReceived: 160, marksReceived: 1, dtmfReceived: 1 });
});

t.test('send stamps the stream sid and produces frames Twilio accepts strictly', async (t) => {
  const p = new MediaStreamProtocol();
  p.receive(TWILIO_FRAMES.start);
  const frames = [
    p.send({ type: 'media', payload: new Uint8Array(320).fill(0x7f) }),
    p.send({ type: 'mark', name: 'reply-1' }),
    p.send({ type: 'clear' }),
  ];
  t.same(
    frames.map((f) => parseServerMessage(f, streamSid).event),
    ['media', 'mark', 'clear'],
  );
  t.match(p.stats, { framesSent: 3, mediaSent: 1, mediaBytesSent: 320, marksSent: 1, clearsSent: 1 });
});

t.test('send before start is an unexpected event', async (t) => {
  const p = new MediaStreamProtocol();
  t.throws(() => p.send({ type: 'clear' }), { code: 'TMS_ERR_UNEXPECTED_EVENT' });
  t.equal(p.stats.framesSent, 0);
});

t.test('media naming another stream is a sid mismatch and changes nothing', async (t) => {
  const p = new MediaStreamProtocol();
  p.receive(TWILIO_FRAMES.start);
  const other = twilioMessage.media({ streamSid: 'MZother', sequenceNumber: 2, chunk: 1, timestamp: 0, payload: new Uint8Array(160) });
  t.throws(() => p.receive(other), { code: 'TMS_ERR_STREAM_SID_MISMATCH', closeCode: 1008 });
  t.equal(p.state, 'streaming');
  t.equal(p.stats.mediaReceived, 0);
});

t.test('a dtmf "digit" that is not one keypad key closes with TMS_ERR_BAD_FIELD (1007), never becomes an event', async (t) => {
  const p = new MediaStreamProtocol();
  p.receive(TWILIO_FRAMES.start);
  for (const digit of ['9'.repeat(20 * 1024), '12', 'hello', 'a', '']) {
    const text = twilioMessage.dtmf({ streamSid, sequenceNumber: 5, digit });
    const err = t.throws(() => p.receive(text), { name: 'ProtocolError', code: 'TMS_ERR_BAD_FIELD', closeCode: 1007 }) as ProtocolError;
    t.ok(err.message.length < 200, 'the error does not carry the bad value');
  }
  t.equal(p.state, 'streaming');
  t.equal(p.stats.dtmfReceived, 0);
  for (const digit of DTMF_DIGITS) t.match(p.receive(twilioMessage.dtmf({ streamSid, sequenceNumber: 6, digit })), [{ type: 'dtmf', digit }]);
});

t.test('a start whose inner streamSid differs from the outer one is a sid mismatch', async (t) => {
  const obj = JSON.parse(TWILIO_FRAMES.start);
  obj.start.streamSid = 'MZother';
  const p = new MediaStreamProtocol();
  t.throws(() => p.receive(JSON.stringify(obj)), { code: 'TMS_ERR_STREAM_SID_MISMATCH' });
  t.equal(p.state, 'awaiting-connected');
  t.equal(p.streamSid, undefined);
});

t.test('a frame above the limit is refused before parsing with close code 1009', async (t) => {
  const p = new MediaStreamProtocol({ maxFrameBytes: 100 });
  t.throws(() => p.receive('x'.repeat(101)), { code: 'TMS_ERR_FRAME_TOO_LARGE', closeCode: 1009 });
  t.doesNotThrow(() => p.receive(TWILIO_FRAMES.connected));
});

t.test('the default limit lets a large start with many parameters through', async (t) => {
  const customParameters: Record<string, string> = {};
  for (let i = 0; i < 40; i++) customParameters[`p${i}`] = 'v'.repeat(499);
  const p = new MediaStreamProtocol();
  t.same(p.receive(twilioMessage.start({ streamSid, callSid, accountSid, customParameters }))[0]?.type, 'start');
  t.throws(() => p.receive('{"pad":"' + 'x'.repeat(70_000) + '"}'), { code: 'TMS_ERR_FRAME_TOO_LARGE' });
});

t.test('any binary frame is refused with close code 1003', async (t) => {
  const p = new MediaStreamProtocol();
  t.throws(() => p.receiveBinary(4), new ProtocolError('TMS_ERR_BINARY_FRAME', '4 bytes'));
  t.throws(() => p.receiveBinary(4), { code: 'TMS_ERR_BINARY_FRAME', closeCode: 1003 });
});

t.test('a start deadline before start returns a timeout error and stops the stream', async (t) => {
  const p = new MediaStreamProtocol();
  p.receive(TWILIO_FRAMES.connected);
  const err = p.startTimeout();
  t.equal(err?.code, 'TMS_ERR_START_TIMEOUT');
  t.equal(err?.closeCode, 1008);
  t.equal(p.state, 'stopped');
  t.throws(() => p.receive(TWILIO_FRAMES.start), { code: 'TMS_ERR_UNEXPECTED_EVENT' });
});

t.test('a start deadline after start does nothing', async (t) => {
  const p = new MediaStreamProtocol();
  p.receive(TWILIO_FRAMES.start);
  t.equal(p.startTimeout(), undefined);
  t.equal(p.state, 'streaming');
});

t.test('bad JSON leaves the stream usable, so a caller may choose to ignore it', async (t) => {
  const p = new MediaStreamProtocol();
  p.receive(TWILIO_FRAMES.start);
  t.throws(() => p.receive('{oops'), { code: 'TMS_ERR_INVALID_JSON', closeCode: 1007 });
  t.equal(p.receive(TWILIO_FRAMES.media)[0]?.type, 'media');
});
