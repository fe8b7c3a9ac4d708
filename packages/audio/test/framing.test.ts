// 20 ms framing: silence, splitting into frames, and the rechunker that feeds Twilio whole frames.
import t from 'tap';
import { FRAME_BYTES, FRAME_MS, Rechunker, SAMPLE_RATE, mulawSilence, splitFrames } from '../src/index';

const bytes = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) % 251);

t.test('a 20 ms frame at 8 kHz μ-law is 160 bytes', async (t) => {
  t.equal(SAMPLE_RATE, 8000);
  t.equal(FRAME_MS, 20);
  t.equal(FRAME_BYTES, (SAMPLE_RATE * FRAME_MS) / 1000);
});

t.test('μ-law silence is 0xFF bytes', async (t) => {
  t.same([...mulawSilence(3)], [0xff, 0xff, 0xff]);
  t.equal(mulawSilence(0).length, 0);
  t.throws(() => mulawSilence(-1), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});

t.test('splitFrames pads only the last partial frame with silence', async (t) => {
  const frames = splitFrames(bytes(400));
  t.same(frames.map((f) => f.length), [160, 160, 160]);
  t.same(frames[1], bytes(160, 160));
  t.same([...(frames[2] ?? [])].slice(0, 80), [...bytes(80, 320)]);
  t.ok((frames[2] ?? []).slice(80).every((b) => b === 0xff));
  t.same(splitFrames(new Uint8Array(0)), []);
  t.same(splitFrames(bytes(10), 4).map((f) => f.length), [4, 4, 4]);
  t.throws(() => splitFrames(bytes(10), 0), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});

t.test('splitFrames returns copies that do not change with the input', async (t) => {
  const input = bytes(160);
  const [frame] = splitFrames(input);
  input[0] = 99;
  t.equal(frame?.[0], 0);
});

t.test('the rechunker emits whole chunks in order however the input is cut', async (t) => {
  const input = bytes(1000);
  const r = new Rechunker(160);
  const out: Uint8Array[] = [];
  for (const [from, to] of [[0, 7], [7, 7], [7, 300], [300, 301], [301, 640], [640, 1000]] as const) {
    out.push(...r.push(input.subarray(from, to)));
  }
  t.same(out.map((c) => c.length), [160, 160, 160, 160, 160, 160]);
  t.equal(r.pending, 40);
  const tail = r.flush();
  t.equal(tail?.length, 160, 'flush pads to a whole frame');
  const joined = new Uint8Array(1120);
  [...out, tail ?? new Uint8Array(0)].forEach((c, i) => joined.set(c, i * 160));
  t.same(joined.subarray(0, 1000), input);
  t.ok(joined.subarray(1000).every((b) => b === 0xff));
  t.equal(r.pending, 0);
  t.equal(r.flush(), null, 'nothing left to flush');
});

t.test('the rechunker copies, so reusing the pushed buffer does not corrupt output', async (t) => {
  const r = new Rechunker(4);
  const buf = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const [first] = r.push(buf);
  buf.fill(0);
  t.same(first, new Uint8Array([1, 2, 3, 4]));
  t.same(r.push(new Uint8Array([7, 8]))[0], new Uint8Array([5, 6, 7, 8]));
});

t.test('flush pads to a multiple of 160 bytes even for larger chunks, and clear drops pending bytes', async (t) => {
  const r = new Rechunker(800);
  t.same(r.push(bytes(500)), []);
  t.equal(r.flush()?.length, 640);
  r.push(bytes(10));
  r.clear();
  t.equal(r.pending, 0);
  t.equal(r.flush(), null);
});

t.test('a chunk size must be a positive integer', async (t) => {
  t.throws(() => new Rechunker(0), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
  t.throws(() => new Rechunker(1.5), { code: 'AUDIO_ERR_INVALID_ARGUMENT' });
});
