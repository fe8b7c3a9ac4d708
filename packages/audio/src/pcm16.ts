// Little-endian 16-bit PCM bytes ⇄ Int16Array (independent of the host's byte order).

export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  const n = bytes.length >> 1; // a trailing odd byte is not a sample
  const pcm = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) pcm[i] = view.getInt16(i * 2, true);
  return pcm;
}

export function pcm16ToBytes(pcm: Int16Array): Uint8Array {
  const bytes = new Uint8Array(pcm.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i] as number, true);
  return bytes;
}
