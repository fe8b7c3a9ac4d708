// Parses a WAV file (PCM 8/16/24/32, float 32/64, μ-law, A-law, WAVE_FORMAT_EXTENSIBLE) into mono int16.

import { ALAW_DECODE_TABLE } from './alaw';
import { MULAW_DECODE_TABLE } from './mulaw';
import { WavError } from './wav-error';

export type WavFormat = 'pcm' | 'float' | 'mulaw' | 'alaw';

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  format: WavFormat;
  bitsPerSample: number;
  /** Mono mixdown (mean of the channels), as int16. */
  samples: Int16Array;
}

const TAG_FORMAT: Record<number, WavFormat> = { 1: 'pcm', 3: 'float', 6: 'alaw', 7: 'mulaw' };
const TAG_EXTENSIBLE = 0xfffe;
const SUPPORTED_BITS: Record<WavFormat, number[]> = { pcm: [8, 16, 24, 32], float: [32, 64], mulaw: [8], alaw: [8] };
/** Streaming writers put this in the data size when the length is unknown; then the data runs to the end. */
const UNKNOWN_SIZE = 0xffffffff;
// why: writers that stream to a pipe cannot know the length and write a huge placeholder (espeak-ng --stdout: 0x7ffff000).
const STREAMING_PLACEHOLDER_MIN = 0x7fff0000;

interface Fmt {
  format: WavFormat;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

function fourcc(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

function parseFmt(view: DataView, at: number, size: number): Fmt {
  if (size < 16) throw new WavError('WAV_ERR_TRUNCATED', `fmt chunk is ${size} bytes, needs at least 16`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (tag === TAG_EXTENSIBLE) {
    if (size < 40) throw new WavError('WAV_ERR_TRUNCATED', `extensible fmt chunk is ${size} bytes, needs 40`);
    tag = view.getUint16(at + 24, true); // first two bytes of the SubFormat GUID are the format tag
  }
  const format = TAG_FORMAT[tag];
  if (!format) throw new WavError('WAV_ERR_UNSUPPORTED_FORMAT', `format tag 0x${tag.toString(16)} is not supported`);
  if (!SUPPORTED_BITS[format].includes(bitsPerSample)) {
    throw new WavError('WAV_ERR_UNSUPPORTED_FORMAT', `${bitsPerSample}-bit ${format} is not supported`);
  }
  if (channels < 1) throw new WavError('WAV_ERR_UNSUPPORTED_FORMAT', 'fmt declares 0 channels');
  if (sampleRate < 1) throw new WavError('WAV_ERR_UNSUPPORTED_FORMAT', 'fmt declares a sample rate of 0');
  return { format, channels, sampleRate, bitsPerSample };
}

/** Returns a reader of the sample at a byte offset, scaled so int16 full scale is ±32768. */
function sampleReader(view: DataView, fmt: Fmt): (at: number) => number {
  switch (fmt.format) {
    case 'mulaw':
      return (at) => MULAW_DECODE_TABLE[view.getUint8(at)] as number;
    case 'alaw':
      return (at) => ALAW_DECODE_TABLE[view.getUint8(at)] as number;
    case 'float':
      return fmt.bitsPerSample === 32
        ? (at) => view.getFloat32(at, true) * 32768
        : (at) => view.getFloat64(at, true) * 32768;
    case 'pcm':
      switch (fmt.bitsPerSample) {
        case 8:
          return (at) => (view.getUint8(at) - 128) * 256; // 8-bit WAV is unsigned
        case 16:
          return (at) => view.getInt16(at, true);
        case 24:
          return (at) => ((view.getInt8(at + 2) << 16) | view.getUint16(at, true)) / 256;
        default:
          return (at) => view.getInt32(at, true) / 65536;
      }
  }
}

export function decodeWav(buf: Uint8Array): DecodedWav {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 || fourcc(view, 0) !== 'RIFF') throw new WavError('WAV_ERR_NOT_RIFF');
  if (buf.length < 12) throw new WavError('WAV_ERR_TRUNCATED', 'RIFF header is cut short');
  if (fourcc(view, 8) !== 'WAVE') throw new WavError('WAV_ERR_NOT_RIFF', 'RIFF form type is not WAVE');

  let fmt: Fmt | undefined;
  let data: { at: number; size: number } | undefined;
  // Chunks may come in any order; the RIFF size field is ignored since writers often get it wrong.
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = fourcc(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    const available = buf.length - body;
    if (id === 'fmt ' && !fmt) {
      if (size > available) throw new WavError('WAV_ERR_TRUNCATED', 'fmt chunk runs past the end of the file');
      fmt = parseFmt(view, body, size);
    } else if (id === 'data' && !data) {
      if (size === UNKNOWN_SIZE || (size >= STREAMING_PLACEHOLDER_MIN && size > available)) data = { at: body, size: available };
      else if (size > available) throw new WavError('WAV_ERR_TRUNCATED', `data chunk declares ${size} bytes, ${available} present`);
      else data = { at: body, size };
    }
    at = body + size + (size & 1); // chunks are padded to an even length
  }
  if (!fmt) throw new WavError('WAV_ERR_NO_FMT');
  if (!data) throw new WavError('WAV_ERR_NO_DATA');

  const bytesPerSample = fmt.bitsPerSample / 8;
  const blockAlign = bytesPerSample * fmt.channels;
  const frames = Math.floor(data.size / blockAlign); // a trailing partial frame is dropped
  const read = sampleReader(view, fmt);
  const samples = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    const at = data.at + f * blockAlign;
    let sum = 0;
    for (let c = 0; c < fmt.channels; c++) sum += read(at + c * bytesPerSample);
    const v = Math.round(sum / fmt.channels);
    samples[f] = v > 32767 ? 32767 : v < -32768 ? -32768 : v; // NaN becomes 0 through the Int16Array
  }
  return { ...fmt, samples };
}
