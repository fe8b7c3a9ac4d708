// Writes a WAV file around μ-law or little-endian 16-bit PCM bytes.

import { WavError } from './wav-error';

export interface EncodeWavOptions {
  sampleRate: number;
  /** 'pcm16': `data` is little-endian int16 bytes; 'mulaw': one byte a sample. */
  format: 'mulaw' | 'pcm16';
  channels?: number;
}

function writeFourcc(view: DataView, at: number, id: string): void {
  for (let i = 0; i < 4; i++) view.setUint8(at + i, id.charCodeAt(i));
}

export function encodeWav(data: Uint8Array, opts: EncodeWavOptions): Uint8Array {
  const { sampleRate, format } = opts;
  const channels = opts.channels ?? 1;
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) {
    throw new WavError('WAV_ERR_INVALID_ARGUMENT', `sampleRate must be a positive integer, got ${sampleRate}`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 0xffff) {
    throw new WavError('WAV_ERR_INVALID_ARGUMENT', `channels must be a positive integer, got ${channels}`);
  }
  if (format !== 'mulaw' && format !== 'pcm16') {
    throw new WavError('WAV_ERR_INVALID_ARGUMENT', `format must be 'mulaw' or 'pcm16', got ${String(format)}`);
  }
  const bytesPerSample = format === 'pcm16' ? 2 : 1;
  const blockAlign = bytesPerSample * channels;
  if (data.length % blockAlign !== 0) {
    throw new WavError('WAV_ERR_INVALID_ARGUMENT', `data length ${data.length} is not a multiple of ${blockAlign}`);
  }

  // Non-PCM formats carry cbSize in fmt and a fact chunk with the frame count (RIFF spec).
  const mulaw = format === 'mulaw';
  const fmtSize = mulaw ? 18 : 16;
  const factSize = mulaw ? 12 : 0;
  const pad = data.length & 1;
  const total = 12 + 8 + fmtSize + factSize + 8 + data.length + pad;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);

  writeFourcc(view, 0, 'RIFF');
  view.setUint32(4, total - 8, true);
  writeFourcc(view, 8, 'WAVE');
  let at = 12;
  writeFourcc(view, at, 'fmt ');
  view.setUint32(at + 4, fmtSize, true);
  view.setUint16(at + 8, mulaw ? 7 : 1, true);
  view.setUint16(at + 10, channels, true);
  view.setUint32(at + 12, sampleRate, true);
  view.setUint32(at + 16, sampleRate * blockAlign, true);
  view.setUint16(at + 20, blockAlign, true);
  view.setUint16(at + 22, bytesPerSample * 8, true);
  if (mulaw) view.setUint16(at + 24, 0, true);
  at += 8 + fmtSize;
  if (mulaw) {
    writeFourcc(view, at, 'fact');
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, data.length / blockAlign, true);
    at += factSize;
  }
  writeFourcc(view, at, 'data');
  view.setUint32(at + 4, data.length, true);
  out.set(data, at + 8);
  return out;
}
