// Our signature code agrees with the twilio library's own validator, and accepts the URL forms Twilio may sign.
import t from 'tap';
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks';
import { isValidTwilioSignature, twilioSignature } from '../src/index';

const token = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };

t.test('matches the published test vector and the twilio library', async (t) => {
  t.equal(twilioSignature(token, url, params), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  t.equal(twilioSignature(token, url, params), getExpectedTwilioSignature(token, url, params));
  t.ok(validateRequest(token, twilioSignature(token, url, params), url, params));
});

t.test('Hebrew and odd characters sign the same as the library', async (t) => {
  const p = { SpeechResult: 'שלום, מה שלומך?', Empty: '' };
  t.equal(twilioSignature('tok', 'https://a.example/x', p), getExpectedTwilioSignature('tok', 'https://a.example/x', p));
});

t.test('the wss:// and https:// forms of an upgrade URL, with or without :443, are both accepted', async (t) => {
  const wss = 'wss://agent.example.com/ws/twilio-media';
  t.ok(isValidTwilioSignature('k', twilioSignature('k', wss), wss));
  t.ok(isValidTwilioSignature('k', twilioSignature('k', 'https://agent.example.com/ws/twilio-media'), wss));
  t.ok(isValidTwilioSignature('k', twilioSignature('k', 'wss://agent.example.com:443/ws/twilio-media'), wss));
  t.notOk(isValidTwilioSignature('k', twilioSignature('other', wss), wss));
  t.notOk(isValidTwilioSignature('k', undefined, wss));
});
