// Collecting a TTS stream under an AbortSignal (the guards themselves live in @tva/providers, shared with the turn policy).
import { abortable, untilAborted } from '@tva/providers';

export { abortable, untilAborted };

/** All of a TTS stream's μ-law chunks in one buffer (a whole <Play> file). */
export async function collectAudio(chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of abortable(chunks, signal)) parts.push(chunk);
  return Buffer.concat(parts);
}
