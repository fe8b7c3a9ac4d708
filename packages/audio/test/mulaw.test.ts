// μ-law and A-law tables checked value by value against alawmulaw, an independent implementation.
import t from 'tap';
import { alaw, mulaw } from 'alawmulaw';
import {
  ALAW_DECODE_TABLE,
  MULAW_DECODE_TABLE,
  MULAW_ENCODE_TABLE,
  alawToLinear,
  decodeAlaw,
  decodeMulaw,
  encodeMulaw,
  linearToMulaw,
  mulawToLinear,
} from '../src/index';

const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
const everyInt16 = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

t.test('the decode table has 256 entries and the encode table covers every int16', async (t) => {
  t.equal(MULAW_DECODE_TABLE.length, 256);
  t.equal(MULAW_ENCODE_TABLE.length, 65536);
});

t.test('every μ-law byte decodes to what alawmulaw decodes', async (t) => {
  const reference = mulaw.decode(everyByte);
  const ours = decodeMulaw(everyByte);
  const mismatches = [...everyByte].filter((b) => ours[b] !== reference[b] || mulawToLinear(b) !== reference[b]);
  t.same(mismatches, []);
});

t.test('every int16 value encodes to the μ-law byte alawmulaw gives', async (t) => {
  const reference = mulaw.encode(everyInt16);
  const ours = encodeMulaw(everyInt16);
  const mismatches: number[] = [];
  for (let i = 0; i < everyInt16.length; i++) {
    if (ours[i] !== reference[i] || linearToMulaw(everyInt16[i] as number) !== reference[i]) mismatches.push(everyInt16[i] as number);
  }
  t.same(mismatches.slice(0, 10), [], 'first mismatching samples');
});

t.test('encoding a decoded byte gives the byte back, except negative zero (0x7F) which becomes 0xFF', async (t) => {
  const back = encodeMulaw(decodeMulaw(everyByte));
  for (let b = 0; b < 256; b++) if (back[b] !== (b === 0x7f ? 0xff : b)) t.fail(`byte ${b} came back as ${back[b]}`);
  t.equal(linearToMulaw(0), 0xff);
});

t.test('linearToMulaw rounds and clamps any number to int16 first', async (t) => {
  t.equal(linearToMulaw(1e9), linearToMulaw(32767));
  t.equal(linearToMulaw(-1e9), linearToMulaw(-32768));
  t.equal(linearToMulaw(99.6), linearToMulaw(100));
  t.equal(linearToMulaw(Number.NaN), linearToMulaw(-32768));
  t.equal(mulawToLinear(0x1ff), mulawToLinear(0xff), 'only the low 8 bits of a byte count');
});

t.test('decode and encode write into a supplied buffer and refuse one too small', async (t) => {
  const pcm = new Int16Array(4);
  t.equal(decodeMulaw(new Uint8Array([0, 1, 2, 3]), pcm), pcm);
  t.same([...pcm], [...mulaw.decode(new Uint8Array([0, 1, 2, 3]))]);
  const bytes = new Uint8Array(4);
  t.equal(encodeMulaw(pcm, bytes), bytes);
  t.throws(() => decodeMulaw(new Uint8Array(5), pcm), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
  t.throws(() => encodeMulaw(new Int16Array(5), bytes), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});

t.test('every A-law byte decodes to what alawmulaw decodes', async (t) => {
  const reference = alaw.decode(everyByte);
  const ours = decodeAlaw(everyByte);
  const mismatches = [...everyByte].filter((b) => ours[b] !== reference[b] || alawToLinear(b) !== reference[b]);
  t.same(mismatches, []);
  t.equal(ALAW_DECODE_TABLE.length, 256);
});
