// parseTwiml reads the TwiML our webhooks produce (built by the twilio library itself in this test).
import t from 'tap';
import VoiceResponse = require('twilio/lib/twiml/VoiceResponse');
import { parseTwiml } from '../src/index';

t.test('a <Connect><Stream> with parameters', async (t) => {
  const r = new VoiceResponse();
  const s = r.connect({ action: 'https://a.example/webhook/stream_ended' }).stream({ url: 'wss://a.example/ws/twilio-media', statusCallback: 'https://a.example/webhook/stream_status' });
  s.parameter({ name: 'call_sid', value: 'CA1' });
  s.parameter({ name: 'call_token', value: '1.abc' });
  t.same(parseTwiml(r.toString()), [
    {
      verb: 'Connect',
      attrs: { action: 'https://a.example/webhook/stream_ended' },
      stream: { url: 'wss://a.example/ws/twilio-media', statusCallback: 'https://a.example/webhook/stream_status', parameters: { call_sid: 'CA1', call_token: '1.abc' } },
    },
  ]);
});

t.test('RECORD-mode verbs in order, with Hebrew text and escaped URLs', async (t) => {
  const r = new VoiceResponse();
  r.say({ language: 'he-IL' }, 'שלום, אפשר לדבר אחרי הצליל');
  r.play('https://a.example/audio/x.wav?a=1&b=2');
  r.record({ action: '/webhook/recording', maxLength: 30, timeout: 2, playBeep: false });
  r.redirect({ method: 'POST' }, 'https://a.example/webhook/record_continue?turn=1&x=2');
  r.dial('+972500000001');
  r.hangup();
  const verbs = parseTwiml(r.toString());
  t.same(verbs.map((v) => v.verb), ['Say', 'Play', 'Record', 'Redirect', 'Dial', 'Hangup']);
  t.equal(verbs[0]?.text, 'שלום, אפשר לדבר אחרי הצליל');
  t.equal(verbs[1]?.text, 'https://a.example/audio/x.wav?a=1&b=2');
  t.equal(verbs[2]?.attrs['action'], '/webhook/recording');
  t.equal(verbs[2]?.attrs['playBeep'], 'false');
  t.equal(verbs[3]?.text, 'https://a.example/webhook/record_continue?turn=1&x=2');
  t.equal(verbs[4]?.text, '+972500000001');
});

t.test('an empty response and something that is not TwiML', async (t) => {
  t.same(parseTwiml('<?xml version="1.0" encoding="UTF-8"?><Response/>'), []);
  t.throws(() => parseTwiml('<html>hi</html>'));
});

t.test('TwiML that is not well-formed XML is refused, as Twilio refuses it', async (t) => {
  const sid = 'CA' + '0'.repeat(31);
  for (const bad of [
    `<Response><Dial>${sid}\u0000</Dial></Response>`,
    '<Response><Say>a</Response>',
    '<Response><Play>x</Play><Response>',
    `<Response><Connect><Stream url="wss://a.example/ws"><Parameter name="call_sid" value="${sid}\u0001"/></Stream></Connect></Response>`,
    '<Response><Say>\uFFFE</Say></Response>',
  ]) {
    t.throws(() => parseTwiml(bad), /not well-formed XML/, JSON.stringify(bad));
  }
});
