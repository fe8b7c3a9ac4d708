// WAV reading (every format, any chunk order, padding, bad input) and writing, with files built here.
import t from 'tap';
import { alaw, mulaw } from 'alawmulaw';
import { decodeMulaw, decodeWav, encodeMulaw, encodeWav, pcm16FromBytes, pcm16ToBytes, resample, wavToMulaw8k } from '../src/index';

type Chunk = [id: string, body: Uint8Array];

function riff(chunks: Chunk[], form = 'WAVE'): Uint8Array {
  const size = chunks.reduce((n, [, b]) => n + 8 + b.length + (b.length & 1), 4);
  const out = new Uint8Array(8 + size);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, size, true);
  ascii(8, form);
  let at = 12;
  for (const [id, body] of chunks) {
    ascii(at, id);
    view.setUint32(at + 4, body.length, true);
    out.set(body, at + 8);
    at += 8 + body.length + (body.length & 1);
  }
  return out;
}

function fmt(tag: number, channels: number, rate: number, bits: number, extensibleTag?: number): Uint8Array {
  const body = new Uint8Array(extensibleTag === undefined ? 16 : 40);
  const view = new DataView(body.buffer);
  view.setUint16(0, tag, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, rate, true);
  view.setUint32(8, (rate * channels * bits) / 8, true);
  view.setUint16(12, (channels * bits) / 8, true);
  view.setUint16(14, bits, true);
  if (extensibleTag !== undefined) {
    view.setUint16(16, 22, true);
    view.setUint16(18, bits, true);
    view.setUint16(24, extensibleTag, true);
    body.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return body;
}

/** Int16 samples written at another bit depth / as float, little-endian. */
function encodeAs(samples: number[], kind: 'u8' | 'i16' | 'i24' | 'i32' | 'f32' | 'f64'): Uint8Array {
  const width = { u8: 1, i16: 2, i24: 3, i32: 4, f32: 4, f64: 8 }[kind];
  const out = new Uint8Array(samples.length * width);
  const view = new DataView(out.buffer);
  samples.forEach((s, i) => {
    const at = i * width;
    if (kind === 'u8') view.setUint8(at, (s >> 8) + 128);
    else if (kind === 'i16') view.setInt16(at, s, true);
    else if (kind === 'i24') {
      const v = s * 256;
      view.setUint16(at, v & 0xffff, true);
      view.setInt8(at + 2, v >> 16);
    } else if (kind === 'i32') view.setInt32(at, s * 65536, true);
    else if (kind === 'f32') view.setFloat32(at, s / 32768, true);
    else view.setFloat64(at, s / 32768, true);
  });
  return out;
}

const ramp = Array.from({ length: 64 }, (_, i) => Math.round(-32768 + i * 1040));

t.test('every PCM depth and float width decodes to the same int16 samples', async (t) => {
  const cases = [
    [1, 16, 'i16', 'pcm'],
    [1, 24, 'i24', 'pcm'],
    [1, 32, 'i32', 'pcm'],
    [3, 32, 'f32', 'float'],
    [3, 64, 'f64', 'float'],
  ] as const;
  for (const [tag, bits, kind, format] of cases) {
    const wav = decodeWav(riff([['fmt ', fmt(tag, 1, 16000, bits)], ['data', encodeAs(ramp, kind)]]));
    t.match(wav, { sampleRate: 16000, channels: 1, format, bitsPerSample: bits }, `${bits}-bit ${format} header`);
    t.same([...wav.samples], ramp, `${bits}-bit ${format} samples`);
  }
});

t.test('8-bit PCM is unsigned and keeps its top 8 bits', async (t) => {
  const wav = decodeWav(riff([['fmt ', fmt(1, 1, 8000, 8)], ['data', new Uint8Array([0, 128, 255])]]));
  t.same([...wav.samples], [-32768, 0, 32512]);
});

t.test('μ-law (tag 7) and A-law (tag 6) decode like alawmulaw', async (t) => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const mu = decodeWav(riff([['fmt ', fmt(7, 1, 8000, 8)], ['data', bytes]]));
  t.equal(mu.format, 'mulaw');
  t.same(mu.samples, mulaw.decode(bytes));
  const a = decodeWav(riff([['fmt ', fmt(6, 1, 8000, 8)], ['data', bytes]]));
  t.equal(a.format, 'alaw');
  t.same(a.samples, alaw.decode(bytes));
});

t.test('WAVE_FORMAT_EXTENSIBLE takes its format from the sub-format GUID', async (t) => {
  const pcm = decodeWav(riff([['fmt ', fmt(0xfffe, 1, 48000, 24, 1)], ['data', encodeAs(ramp, 'i24')]]));
  t.match(pcm, { format: 'pcm', bitsPerSample: 24, sampleRate: 48000 });
  t.same([...pcm.samples], ramp);
  const float = decodeWav(riff([['fmt ', fmt(0xfffe, 1, 48000, 32, 3)], ['data', encodeAs(ramp, 'f32')]]));
  t.equal(float.format, 'float');
  t.same([...float.samples], ramp);
});

t.test('stereo is mixed down to the mean of the channels', async (t) => {
  const interleaved = encodeAs([1000, 3000, -32768, -32768, 32767, -32768, 5, 6], 'i16');
  const wav = decodeWav(riff([['fmt ', fmt(1, 2, 8000, 16)], ['data', interleaved]]));
  t.equal(wav.channels, 2);
  t.same([...wav.samples], [2000, -32768, 0, 6]);
});

t.test('chunks may come in any order, with odd-length chunks padded and unknown chunks skipped', async (t) => {
  const data = encodeAs([1, 2, 3], 'i16');
  const wav = decodeWav(
    riff([
      ['LIST', new Uint8Array(5)],
      ['data', data],
      ['junk', new Uint8Array(3)],
      ['fmt ', fmt(1, 1, 22050, 16)],
    ]),
  );
  t.same([...wav.samples], [1, 2, 3]);
  t.equal(wav.sampleRate, 22050);
  const oddData = decodeWav(riff([['fmt ', fmt(7, 1, 8000, 8)], ['data', new Uint8Array([0xff, 0xff, 0x80])], ['LIST', new Uint8Array(4)]]));
  t.equal(oddData.samples.length, 3);
});

t.test('a data size of 0xFFFFFFFF (streaming writer) means the rest of the file, and a partial last frame is dropped', async (t) => {
  const file = riff([['fmt ', fmt(1, 2, 8000, 16)], ['data', encodeAs([1, 2, 3, 4, 5], 'i16')]]);
  new DataView(file.buffer).setUint32(12 + 8 + 16 + 4, 0xffffffff, true);
  t.same([...decodeWav(file).samples], [2, 4]);
});

t.test('bad input fails with a code for each problem', async (t) => {
  const good = riff([['fmt ', fmt(1, 1, 8000, 16)], ['data', encodeAs([1, 2], 'i16')]]);
  t.throws(() => decodeWav(new Uint8Array(0)), { code: 'WAV_ERR_NOT_RIFF' });
  t.throws(() => decodeWav(new TextEncoder().encode('ID3 not a wav file')), { code: 'WAV_ERR_NOT_RIFF' });
  t.throws(() => decodeWav(riff([['fmt ', fmt(1, 1, 8000, 16)]], 'AVI ')), { code: 'WAV_ERR_NOT_RIFF' });
  t.throws(() => decodeWav(good.subarray(0, 10)), { code: 'WAV_ERR_TRUNCATED' });
  t.throws(() => decodeWav(riff([['data', new Uint8Array(4)]])), { code: 'WAV_ERR_NO_FMT' });
  t.throws(() => decodeWav(riff([])), { code: 'WAV_ERR_NO_FMT' });
  t.throws(() => decodeWav(riff([['fmt ', fmt(1, 1, 8000, 16)]])), { code: 'WAV_ERR_NO_DATA' });
  t.throws(() => decodeWav(good.subarray(0, good.length - 1)), { code: 'WAV_ERR_TRUNCATED' }, 'data cut short');
  t.throws(() => decodeWav(good.subarray(0, 30)), { code: 'WAV_ERR_TRUNCATED' }, 'fmt cut short');
  t.throws(() => decodeWav(riff([['fmt ', new Uint8Array(14)], ['data', new Uint8Array(2)]])), { code: 'WAV_ERR_TRUNCATED' });
  t.throws(() => decodeWav(riff([['fmt ', fmt(0xfffe, 1, 8000, 16).subarray(0, 24)], ['data', new Uint8Array(2)]])), {
    code: 'WAV_ERR_TRUNCATED',
  });
  t.throws(() => decodeWav(riff([['fmt ', fmt(2, 1, 8000, 4)], ['data', new Uint8Array(2)]])), { code: 'WAV_ERR_UNSUPPORTED_FORMAT' }, 'ADPCM');
  t.throws(() => decodeWav(riff([['fmt ', fmt(1, 1, 8000, 12)], ['data', new Uint8Array(2)]])), { code: 'WAV_ERR_UNSUPPORTED_FORMAT' });
  t.throws(() => decodeWav(riff([['fmt ', fmt(3, 1, 8000, 16)], ['data', new Uint8Array(2)]])), { code: 'WAV_ERR_UNSUPPORTED_FORMAT' });
  t.throws(() => decodeWav(riff([['fmt ', fmt(1, 0, 8000, 16)], ['data', new Uint8Array(2)]])), { code: 'WAV_ERR_UNSUPPORTED_FORMAT' });
  t.throws(() => decodeWav(riff([['fmt ', fmt(1, 1, 0, 16)], ['data', new Uint8Array(2)]])), { code: 'WAV_ERR_UNSUPPORTED_FORMAT' });
  t.throws(() => decodeWav(riff([['fmt ', fmt(0xfffe, 1, 8000, 16, 0x55)], ['data', new Uint8Array(2)]])), {
    code: 'WAV_ERR_UNSUPPORTED_FORMAT',
  });
  const err = t.throws(() => decodeWav(new Uint8Array(3)));
  t.type(err, Error);
});

t.test('a μ-law WAV written by encodeWav reads back byte for byte', async (t) => {
  const bytes = Uint8Array.from({ length: 257 }, (_, i) => i % 256);
  const file = encodeWav(bytes, { sampleRate: 8000, format: 'mulaw' });
  t.equal(file.length % 2, 0, 'odd data is padded');
  const wav = decodeWav(file);
  t.match(wav, { sampleRate: 8000, channels: 1, format: 'mulaw', bitsPerSample: 8 });
  t.same(wav.samples, decodeMulaw(bytes));
  t.equal(new DataView(file.buffer).getUint32(4, true), file.length - 8, 'RIFF size');
});

t.test('a 16-bit PCM WAV written by encodeWav reads back sample for sample, stereo too', async (t) => {
  const pcm = Int16Array.from(ramp);
  t.same(decodeWav(encodeWav(pcm16ToBytes(pcm), { sampleRate: 16000, format: 'pcm16' })).samples, pcm);
  const stereo = decodeWav(encodeWav(pcm16ToBytes(Int16Array.from([100, 300, -2, -4])), { sampleRate: 44100, format: 'pcm16', channels: 2 }));
  t.match(stereo, { channels: 2, sampleRate: 44100, format: 'pcm', bitsPerSample: 16 });
  t.same([...stereo.samples], [200, -3]);
  t.same(pcm16FromBytes(pcm16ToBytes(pcm)), pcm);
  t.equal(pcm16FromBytes(new Uint8Array(3)).length, 1, 'a trailing odd byte is not a sample');
});

t.test('encodeWav refuses options that cannot make a valid file', async (t) => {
  const code = { code: 'WAV_ERR_INVALID_ARGUMENT' };
  t.throws(() => encodeWav(new Uint8Array(2), { sampleRate: 0, format: 'pcm16' }), code);
  t.throws(() => encodeWav(new Uint8Array(2), { sampleRate: 8000.5, format: 'mulaw' }), code);
  t.throws(() => encodeWav(new Uint8Array(2), { sampleRate: 8000, format: 'mulaw', channels: 0 }), code);
  t.throws(() => encodeWav(new Uint8Array(3), { sampleRate: 8000, format: 'pcm16' }), code);
  t.throws(() => encodeWav(new Uint8Array(2), { sampleRate: 8000, format: 'mp3' as 'mulaw' }), code);
});

t.test('wavToMulaw8k turns any supported WAV into mono 8 kHz μ-law', async (t) => {
  const seconds = 0.25;
  const tone = (rate: number) =>
    Int16Array.from({ length: rate * seconds }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)));
  const stereo16k = new Int16Array(16000 * seconds * 2);
  tone(16000).forEach((s, i) => stereo16k.set([s, s], i * 2));
  const out = wavToMulaw8k(encodeWav(pcm16ToBytes(stereo16k), { sampleRate: 16000, format: 'pcm16', channels: 2 }));
  t.equal(out.length, 8000 * seconds);
  t.same(out, encodeMulaw(resample(tone(16000), 16000, 8000)));
  const already = encodeMulaw(tone(8000));
  t.same(wavToMulaw8k(encodeWav(already, { sampleRate: 8000, format: 'mulaw' })), already, 'μ-law 8 kHz passes through');
  t.throws(() => wavToMulaw8k(new Uint8Array(4)), { code: 'WAV_ERR_NOT_RIFF' });
});

t.test('a WAV streamed to a pipe (placeholder data size, as espeak-ng --stdout writes) reads to the end', async (t) => {
  const pcm = new Int16Array([100, -200, 300, -400]);
  const wav = encodeWav(new Uint8Array(pcm.buffer), { sampleRate: 22050, format: 'pcm16' });
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  view.setUint32(40, 0x7ffff000, true);
  const decoded = decodeWav(wav);
  t.same(Array.from(decoded.samples), [100, -200, 300, -400]);
});
