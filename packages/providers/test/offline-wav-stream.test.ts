// WavStreamToMulaw: streamed WAV in any split gives exactly what a one-shot wavToMulaw8k gives.
import t from 'tap';
import fc from 'fast-check';
import { encodeWav, pcm16ToBytes, wavToMulaw8k } from '@tva/audio';
import { WavStreamError, WavStreamToMulaw, containsHebrew, detectLanguage, languageFromTag, stripNiqqud } from '../src/offline';

function tone(rate: number, seconds: number, channels = 1): Uint8Array {
  const n = Math.round(rate * seconds);
  const pcm = new Int16Array(n * channels);
  for (let i = 0; i < n; i++) {
    const f = 200 + (1800 * i) / n; // a sweep, so every block differs
    for (let c = 0; c < channels; c++) pcm[i * channels + c] = Math.round(9000 * Math.sin((2 * Math.PI * f * i) / rate) * (c === 0 ? 1 : 0.5));
  }
  return encodeWav(pcm16ToBytes(pcm), { sampleRate: rate, format: 'pcm16', channels });
}

/** Rewrites the sizes the way espeak-ng does when it streams to a pipe. */
function asStreamed(wav: Uint8Array): Uint8Array {
  const copy = wav.slice();
  const view = new DataView(copy.buffer);
  view.setUint32(4, 0x7ffff024, true);
  view.setUint32(40, 0x7ffff000, true);
  return copy;
}

function feed(wav: Uint8Array, sizes: number[]): Uint8Array {
  const conv = new WavStreamToMulaw();
  const out: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < wav.length) {
    const size = sizes.length ? (sizes[i++ % sizes.length] as number) : wav.length;
    out.push(conv.push(wav.subarray(at, at + size)));
    at += size;
  }
  out.push(conv.end());
  return new Uint8Array(Buffer.concat(out));
}

t.test('22050 Hz mono (espeak-ng) in one piece and in odd pieces matches wavToMulaw8k', async (t) => {
  const wav = tone(22050, 1.3);
  const expected = wavToMulaw8k(wav);
  t.equal(expected.length, Math.ceil((1.3 * 22050 * 8000) / 22050 - 1e-9));
  t.same(feed(asStreamed(wav), []), expected, 'whole');
  const short = tone(22050, 0.25);
  t.same(feed(asStreamed(short), [1]), wavToMulaw8k(short), 'byte by byte (header and samples split everywhere)');
  t.same(feed(asStreamed(wav), [4096]), expected, 'pipe-sized reads');
  t.same(feed(asStreamed(wav), [7, 333, 1001]), expected, 'odd reads');
});

t.test('property: any rate and any split match the one-shot conversion', async () => {
  fc.assert(
    fc.property(
      fc.constantFrom(8000, 11025, 16000, 22050, 24000, 44100, 48000),
      fc.integer({ min: 0, max: 3000 }),
      fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 5 }),
      (rate, ms, sizes) => {
        const wav = tone(rate, ms / 1000);
        return Buffer.from(feed(wav, sizes)).equals(Buffer.from(wavToMulaw8k(wav)));
      },
    ),
    { numRuns: 40 },
  );
});

t.test('stereo is mixed down like wavToMulaw8k', async (t) => {
  const wav = tone(16000, 0.5, 2);
  t.same(feed(wav, [999]), wavToMulaw8k(wav));
});

t.test('output is produced while input arrives, ~100 ms at a time', async (t) => {
  const wav = tone(22050, 1);
  const conv = new WavStreamToMulaw();
  const sizes: number[] = [];
  for (let at = 0; at < wav.length; at += 2205 * 2) sizes.push(conv.push(wav.subarray(at, at + 2205 * 2)).length);
  t.ok(sizes.filter((n) => n > 0).length >= 8, `produced in ${sizes.filter((n) => n > 0).length} steps before the end`);
  t.equal(conv.sampleRate, 22050);
});

t.test('bad input fails with WavStreamError', async (t) => {
  t.throws(() => new WavStreamToMulaw().push(new TextEncoder().encode('definitely not a riff header')), WavStreamError);
  const float = tone(8000, 0.1).slice();
  new DataView(float.buffer).setUint16(20, 3, true);
  t.throws(() => new WavStreamToMulaw().push(float), /need PCM16/);
  const conv = new WavStreamToMulaw();
  conv.push(tone(8000, 0.1).subarray(0, 20));
  t.throws(() => conv.end(), /inside the WAV header/);
  t.same(new WavStreamToMulaw().end(), new Uint8Array(0), 'no input, no output');
});

t.test('Hebrew helpers', async (t) => {
  t.equal(stripNiqqud('בְּרֵאשִׁ֖ית בָּרָ֣א'), 'בראשית ברא');
  t.equal(stripNiqqud('בית־ספר׃'), 'בית-ספר.', 'maqaf and sof pasuq keep their meaning');
  t.ok(containsHebrew('hello שלום'));
  t.notOk(containsHebrew('hello'));
  t.equal(detectLanguage('מה נשמע'), 'he');
  t.equal(detectLanguage('what'), 'en');
  t.equal(detectLanguage('123', 'he'), 'he');
  t.equal(languageFromTag('he-IL'), 'he');
  t.equal(languageFromTag('iw'), 'he');
  t.equal(languageFromTag('en_GB'), 'en');
  t.equal(languageFromTag('fr'), undefined);
  t.equal(languageFromTag(undefined), undefined);
});
