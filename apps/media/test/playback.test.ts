// Playback: whole 20 ms frames in 60–200 ms chunks, a mark per chunk, drained() as a promise, and what the caller heard.
import t from 'tap';
import { FRAME_BYTES, MULAW_SILENCE_BYTE } from '@tva/audio';
import { Playback } from '../src/voice/playback';

function sink(): { sent: Array<{ audio: Uint8Array; mark: string }>; playback: Playback } {
  const sent: Array<{ audio: Uint8Array; mark: string }> = [];
  return { sent, playback: new Playback({ sendAudio: (audio, mark) => void sent.push({ audio: Uint8Array.from(audio), mark }) }) };
}

/** Resolves true when `p` settles before the microtask queue empties (i.e. it is already settled). */
const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

const bytes = (n: number, start = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) % 251);

t.test('TTS pieces of any size go out as whole 20 ms frames, 60 to 200 ms a chunk, one mark each; the tail is padded', async (t) => {
  const { sent, playback } = sink();
  const s = playback.utterance().sentence('Hello there.');
  const input = [bytes(37), bytes(500, 37), bytes(1, 537), bytes(3000, 538), bytes(90, 3538)];
  for (const piece of input) s.push(piece);
  s.end();
  for (const { audio } of sent) {
    t.equal(audio.length % FRAME_BYTES, 0, `${audio.length} bytes: whole frames`);
    t.ok(audio.length >= 3 * FRAME_BYTES && audio.length <= 10 * FRAME_BYTES, `${audio.length} bytes: 60–200 ms`);
  }
  t.equal(new Set(sent.map((x) => x.mark)).size, sent.length, 'a distinct mark per chunk');
  const all = Buffer.concat(sent.map((x) => x.audio));
  const original = Buffer.concat(input);
  t.same(all.subarray(0, original.length), original, 'every byte, in order');
  t.ok(all.subarray(original.length).every((b) => b === MULAW_SILENCE_BYTE), 'padding is μ-law silence');
});

t.test('a short phrase is still one chunk of at least 60 ms', async (t) => {
  const { sent, playback } = sink();
  playback.utterance().say('Hi.', bytes(100));
  t.equal(sent.length, 1);
  t.equal(sent[0]?.audio.length, 3 * FRAME_BYTES);
});

t.test('drained() resolves once every mark is echoed, at once when nothing is queued', async (t) => {
  const { sent, playback } = sink();
  t.ok(await settled(playback.drained()), 'nothing queued');
  playback.utterance().say('One two three.', bytes(4800));
  t.ok(playback.playing);
  const drained = playback.drained();
  t.notOk(await settled(drained), 'pending while marks are out');
  for (const { mark } of sent.slice(0, -1)) t.ok(playback.markEchoed(mark));
  t.notOk(await settled(drained));
  t.ok(playback.markEchoed(sent.at(-1)?.mark ?? ''));
  t.ok(await settled(drained), 'every mark echoed');
  t.notOk(playback.playing);
  t.notOk(playback.markEchoed('not-ours'));
});

t.test('clear() settles drained() and counts nothing sent before it as heard; later audio counts again', async (t) => {
  const { sent, playback } = sink();
  const first = playback.utterance();
  first.say('alpha beta gamma delta', bytes(3200));
  const drained = playback.drained();
  playback.markEchoed(sent[0]?.mark ?? '');
  playback.clear();
  t.ok(await settled(drained));
  t.notOk(playback.playing);
  t.notOk(playback.markEchoed(sent[1]?.mark ?? ''), "Twilio's flush echo of a cleared mark is not playback");
  t.ok(first.unplayed);
  t.equal(first.heardText(), 'alpha beta…', 'half the audio played: half the words, cut with …');

  const second = playback.utterance();
  second.say('next', bytes(480));
  t.ok(playback.playing);
  playback.markEchoed(sent.at(-1)?.mark ?? '');
  t.equal(second.heardText(), 'next');
  t.notOk(second.unplayed);
});

t.test('heard text: whole sentences that played, the heard share of a cut one, nothing of an unheard one', async (t) => {
  const { sent, playback } = sink();
  const u = playback.utterance();
  u.say('The first sentence.', bytes(960));
  const afterFirst = sent.length;
  u.say('one two three four five six seven eight', bytes(3200));
  u.say('Never heard.', bytes(480));
  for (const { mark } of sent.slice(0, afterFirst + 1)) playback.markEchoed(mark);
  t.equal(u.heardText(), 'The first sentence. one two three four…');
  t.equal(u.playedMs, (960 + 1600) / 8);
});

t.test('a stopped utterance sends nothing more; a closed playback sends nothing and is drained', async (t) => {
  const { sent, playback } = sink();
  const u = playback.utterance();
  const s = u.sentence('cut off');
  s.push(bytes(800));
  const before = sent.length;
  u.stop();
  s.push(bytes(1600));
  s.end();
  t.equal(sent.length, before);
  playback.close();
  t.ok(await settled(playback.drained()));
  playback.utterance().say('after the end', bytes(800));
  t.equal(sent.length, before, 'nothing after close');
});
