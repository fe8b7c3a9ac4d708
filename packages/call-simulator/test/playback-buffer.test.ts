// Tests the model of Twilio's playback buffer against the fixture scripts and a few properties.
import t from 'tap';
import fc from 'fast-check';
import { MAX_BUFFERED_BYTES, PlaybackBuffer } from '../src/index';
import { PLAYBACK_CASES } from './fixtures/playback-cases';

for (const c of PLAYBACK_CASES) {
  t.test(c.name, async (t) => {
    const buffer = new PlaybackBuffer();
    c.steps.forEach((step, i) => {
      const where = `step ${i + 1} (${step.op})`;
      switch (step.op) {
        case 'enqueue':
          buffer.enqueue(new Uint8Array(step.bytes));
          break;
        case 'mark':
          t.same(buffer.mark(step.name), step.released, `${where} releases ${JSON.stringify(step.released)}`);
          break;
        case 'advance': {
          const out = buffer.advance(step.ms);
          t.equal(out.played.byteLength, step.played, `${where} plays ${step.played} bytes`);
          t.same(out.marks, step.marks, `${where} releases ${JSON.stringify(step.marks)}`);
          break;
        }
        case 'clear':
          t.same(buffer.clear(), step.released, `${where} releases ${JSON.stringify(step.released)}`);
          t.equal(buffer.bufferedBytes, 0, `${where} leaves nothing buffered`);
          break;
      }
    });
  });
}

t.test('audio plays back byte for byte in the order it was queued', async (t) => {
  const buffer = new PlaybackBuffer();
  buffer.enqueue(Uint8Array.from([1, 2, 3]));
  buffer.enqueue(Uint8Array.from([4, 5]));
  t.same([...buffer.advance(0.5).played], [1, 2, 3, 4]);
  t.same([...buffer.advance(10).played], [5]);
  t.equal(buffer.bufferedBytes, 0);
});

t.test('the buffer copies what it is given', async (t) => {
  const buffer = new PlaybackBuffer();
  const bytes = Uint8Array.from([9, 9]);
  buffer.enqueue(bytes);
  bytes.fill(0);
  t.same([...buffer.advance(1).played], [9, 9]);
});

t.test('pending marks and buffered time are visible', async (t) => {
  const buffer = new PlaybackBuffer();
  buffer.enqueue(new Uint8Array(800));
  buffer.mark('x');
  t.equal(buffer.bufferedMs, 100);
  t.same(buffer.pendingMarks, ['x']);
});

t.test('audio beyond the 10-minute limit is dropped and counted (31931)', async (t) => {
  t.equal(MAX_BUFFERED_BYTES, 4_800_000);
  const buffer = new PlaybackBuffer(1000);
  t.equal(buffer.enqueue(new Uint8Array(600)), 0);
  t.equal(buffer.enqueue(new Uint8Array(600)), 200);
  t.equal(buffer.bufferedBytes, 1000);
  t.equal(buffer.droppedBytes, 200);
  t.equal(buffer.enqueue(new Uint8Array(10)), 10);
});

t.test('a negative or NaN advance is refused', async (t) => {
  const buffer = new PlaybackBuffer();
  t.throws(() => buffer.advance(-1), RangeError);
  t.throws(() => buffer.advance(Number.NaN), RangeError);
});

t.test('however time is sliced, the same bytes play and each mark comes back once', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.double({ min: 0, max: 40, noNaN: true }), { minLength: 1, maxLength: 30 }),
      (chunks, slices) => {
        const buffer = new PlaybackBuffer();
        const marks: string[] = [];
        chunks.forEach((n, i) => {
          buffer.enqueue(new Uint8Array(n).fill(i));
          marks.push(...buffer.mark(`m${i}`));
        });
        const total = chunks.reduce((a, b) => a + b, 0);
        let played = 0;
        for (const ms of slices) {
          const out = buffer.advance(ms);
          played += out.played.byteLength;
          marks.push(...out.marks);
        }
        const rest = buffer.advance(total);
        played += rest.played.byteLength;
        marks.push(...rest.marks);
        const inOrder = marks.every((name, i) => name === `m${i}`);
        return played === total && inOrder && marks.length === chunks.length && buffer.bufferedBytes === 0;
      },
    ),
  );
  t.pass('every slicing played everything');
});
