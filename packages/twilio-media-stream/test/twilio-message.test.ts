// Tests that the Twilio-side builder writes frames exactly as Twilio does and that they round-trip.
import t from 'tap';
import fc from 'fast-check';
import { decodePayload, parseTwilioMessage, twilioMessage, type TwilioMediaMessage } from '../src/index';
import { SIDS, TWILIO_FRAMES } from './fixtures/messages';

const { streamSid, callSid, accountSid } = SIDS;

t.test('the builder writes every Twilio → server example byte for byte', async (t) => {
  t.equal(twilioMessage.connected(), TWILIO_FRAMES.connected);
  t.equal(
    twilioMessage.start({ streamSid, callSid, accountSid, customParameters: { call_sid: callSid }, sequenceNumber: 1 }),
    TWILIO_FRAMES.start,
  );
  t.equal(
    twilioMessage.media({ streamSid, sequenceNumber: 2, chunk: 1, timestamp: 52, payload: new Uint8Array(160).fill(0xff) }),
    TWILIO_FRAMES.media,
  );
  t.equal(twilioMessage.dtmf({ streamSid, sequenceNumber: 5, digit: '1' }), TWILIO_FRAMES.dtmf);
  t.equal(twilioMessage.mark({ streamSid, sequenceNumber: 103, name: 'reply-7' }), TWILIO_FRAMES.mark);
  t.equal(twilioMessage.stop({ streamSid, sequenceNumber: 250, accountSid, callSid }), TWILIO_FRAMES.stop);
});

t.test('start defaults to sequence 1, the inbound track and no parameters', async (t) => {
  const msg = parseTwilioMessage(twilioMessage.start({ streamSid, callSid, accountSid }));
  if (msg.event !== 'start') throw new Error('not start');
  t.equal(msg.sequenceNumber, '1');
  t.same(msg.start.tracks, ['inbound']);
  t.same(msg.start.customParameters, {});
});

t.test('any payload, chunk and timestamp survive a build and parse round trip', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 800 }), fc.nat(), fc.nat(), (payload, chunk, timestamp) => {
      const msg = parseTwilioMessage(twilioMessage.media({ streamSid, sequenceNumber: 9, chunk, timestamp, payload })) as TwilioMediaMessage;
      return (
        Buffer.compare(decodePayload(msg), Buffer.from(payload)) === 0 &&
        msg.media.chunk === String(chunk) &&
        msg.media.timestamp === String(timestamp)
      );
    }),
  );
  t.pass('every generated media frame round-tripped');
});

t.test('a payload that is a view into a larger buffer sends only its own bytes', async (t) => {
  const big = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const view = big.subarray(2, 4);
  const msg = parseTwilioMessage(twilioMessage.media({ streamSid, sequenceNumber: 3, chunk: 2, timestamp: 20, payload: view })) as TwilioMediaMessage;
  t.same([...decodePayload(msg)], [3, 4]);
});
