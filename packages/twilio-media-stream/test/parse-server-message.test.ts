// Tests for the strict server-message check that models Twilio's 31951 warning.
import t from 'tap';
import { decodePayload, parseServerMessage, serverMessage } from '../src/index';
import { BAD_SERVER_FRAMES, SERVER_FRAMES, SIDS } from './fixtures/messages';

t.test('every server → Twilio example frame is accepted as is', async (t) => {
  for (const [event, text] of Object.entries(SERVER_FRAMES)) {
    const msg = parseServerMessage(text, SIDS.streamSid);
    t.equal(msg.event, event);
    t.same(msg, JSON.parse(text));
  }
});

t.test('serverMessage builds exactly the server → Twilio frames', async (t) => {
  t.equal(serverMessage.media(SIDS.streamSid, Buffer.alloc(160, 0xff)), SERVER_FRAMES.media);
  t.equal(serverMessage.mark(SIDS.streamSid, 'reply-7'), SERVER_FRAMES.mark);
  t.equal(serverMessage.clear(SIDS.streamSid), SERVER_FRAMES.clear);
});

t.test('a media payload decodes back to the bytes sent', async (t) => {
  const bytes = Uint8Array.from([0, 1, 2, 127, 128, 255]);
  const msg = parseServerMessage(serverMessage.media('MZ1', bytes));
  t.same([...decodePayload(msg as Parameters<typeof decodePayload>[0])], [...bytes]);
});

t.test('a streamSid other than the expected one is refused', async (t) => {
  t.throws(() => parseServerMessage(SERVER_FRAMES.clear, 'MZother'), { code: 'TMS_ERR_STREAM_SID_MISMATCH', closeCode: 1008 });
});

t.test('without an expected streamSid any streamSid is accepted', async (t) => {
  t.equal(parseServerMessage(serverMessage.clear('MZanything')).streamSid, 'MZanything');
});

for (const bad of BAD_SERVER_FRAMES) {
  t.test(`a server frame with ${bad.name} is refused with ${bad.code}`, async (t) => {
    t.throws(() => parseServerMessage(bad.text), { name: 'ProtocolError', code: bad.code });
  });
}
