// Tests for parseTwilioMessage and decodePayload against every Twilio → server example and every bad frame.
import t from 'tap';
import { DTMF_DIGITS, decodePayload, parseTwilioMessage, type TwilioMediaMessage } from '../src/index';
import { BAD_TWILIO_FRAMES, DTMF_KEYS, SIDS, SILENCE_FRAME_B64, TWILIO_FRAMES } from './fixtures/messages';

t.test('every example Twilio frame parses to the same object JSON.parse gives', async (t) => {
  for (const [event, text] of Object.entries(TWILIO_FRAMES)) {
    const msg = parseTwilioMessage(text);
    t.equal(msg.event, event);
    t.same(msg, JSON.parse(text), `${event} keeps every field and value`);
  }
});

t.test('numbers stay strings and mediaFormat numbers stay numbers', async (t) => {
  const start = parseTwilioMessage(TWILIO_FRAMES.start);
  if (start.event !== 'start') throw new Error('not start');
  t.equal(start.sequenceNumber, '1');
  t.equal(start.start.mediaFormat.sampleRate, 8000);
  t.equal(start.start.mediaFormat.channels, 1);
  t.same(start.start.customParameters, { call_sid: SIDS.callSid });
  const media = parseTwilioMessage(TWILIO_FRAMES.media) as TwilioMediaMessage;
  t.equal(media.media.timestamp, '52');
  t.equal(media.media.payload, SILENCE_FRAME_B64, 'the payload stays base64');
});

t.test('unknown extra fields are tolerated and dropped from the result', async (t) => {
  const obj = JSON.parse(TWILIO_FRAMES.media);
  obj.newTopLevel = true;
  obj.media.futureField = { x: 1 };
  const msg = parseTwilioMessage(JSON.stringify(obj));
  t.same(msg, JSON.parse(TWILIO_FRAMES.media));
});

t.test('a UUID-style streamSid from an old real log is accepted', async (t) => {
  const text = TWILIO_FRAMES.mark.replace(SIDS.streamSid, SIDS.uuidStreamSid);
  t.equal(parseTwilioMessage(text).event, 'mark');
});

t.test('a start without customParameters reads as empty parameters', async (t) => {
  const obj = JSON.parse(TWILIO_FRAMES.start);
  delete obj.start.customParameters;
  const msg = parseTwilioMessage(JSON.stringify(obj));
  t.same(msg.event === 'start' && msg.start.customParameters, {});
});

t.test('a custom parameter named __proto__ stays a plain own value', async (t) => {
  const text = TWILIO_FRAMES.start.replace(`"customParameters":{"call_sid"`, `"customParameters":{"__proto__":"x","call_sid"`);
  const msg = parseTwilioMessage(text);
  if (msg.event !== 'start') throw new Error('not start');
  t.ok(Object.prototype.hasOwnProperty.call(msg.start.customParameters, '__proto__'));
  t.equal(Object.getPrototypeOf(msg.start.customParameters), Object.prototype);
});

t.test('every keypad key is a dtmf digit: 0-9, *, #, A-D', async (t) => {
  for (const digit of DTMF_KEYS) {
    const msg = parseTwilioMessage(TWILIO_FRAMES.dtmf.replace('"digit":"1"', `"digit":"${digit}"`));
    t.same(msg.event === 'dtmf' && msg.dtmf.digit, digit);
  }
  t.same([...DTMF_DIGITS], DTMF_KEYS, 'the package exports exactly these keys');
});

for (const bad of BAD_TWILIO_FRAMES) {
  t.test(`${bad.name} is refused with ${bad.code}`, async (t) => {
    t.throws(() => parseTwilioMessage(bad.text), { name: 'ProtocolError', code: bad.code });
  });
}

t.test('decodePayload returns the raw μ-law bytes', async (t) => {
  const msg = parseTwilioMessage(TWILIO_FRAMES.media) as TwilioMediaMessage;
  const bytes = decodePayload(msg);
  t.equal(bytes.length, 160);
  t.ok(bytes.every((b) => b === 0xff));
});
