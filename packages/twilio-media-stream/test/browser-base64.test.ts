// Frames built where there is no Buffer (the console's softphone, in a browser) are byte-identical to Node's.
import t from 'tap';
import { serverMessage, twilioMessage } from '../src/twilio-message';

t.test('media payloads encode the same without Buffer (btoa), including sizes past one 32 KiB slice', async (t) => {
  const payloads = [0, 1, 2, 3, 160, 0x8000, 0x8000 + 7, 70_000].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 7919 + n) & 0xff));
  const withBuffer = payloads.map((payload) => [twilioMessage.media({ streamSid: 'MZ1', sequenceNumber: 2, chunk: 1, timestamp: 20, payload }), serverMessage.media('MZ1', payload)]);
  const saved = globalThis.Buffer;
  let without: string[][];
  try {
    (globalThis as { Buffer?: unknown }).Buffer = undefined;
    without = payloads.map((payload) => [twilioMessage.media({ streamSid: 'MZ1', sequenceNumber: 2, chunk: 1, timestamp: 20, payload }), serverMessage.media('MZ1', payload)]);
  } finally {
    globalThis.Buffer = saved;
  }
  t.same(without, withBuffer);
});
