// One fake speech-synthesis WebSocket: answers each ssml message with audio frames whose length follows the text.
import type { WebSocket } from 'ws';
import { encodeMulaw } from '@tva/audio';
import type { FakeTtsOptions, FakeTtsTurn } from './fake-azure-speech-options';
import { binaryFrame, newWireId, parseWireMessage, textFrame } from './wire-message';

export interface TtsConnectionDeps {
  opts: Required<FakeTtsOptions>;
  onTurn(turn: FakeTtsTurn): void;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The spoken text of an SSML document: tags dropped, the five XML entities decoded. */
export function ssmlText(ssml: string): string {
  return ssml
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ENTITIES[name] ?? '')
    .trim();
}

/** A 400 Hz tone as 8 kHz μ-law, so the audio is plainly not silence. */
function toneMulaw(samples: number): Uint8Array {
  const pcm = new Int16Array(samples);
  for (let i = 0; i < samples; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 400 * i) / 8000));
  return encodeMulaw(pcm);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function serveTtsConnection(ws: WebSocket, deps: TtsConnectionDeps): void {
  let outputFormat: string | undefined;
  // The SDK sends one ssml at a time, but a queue keeps the fake honest if a client pipelines.
  let queue: Promise<void> = Promise.resolve();

  const open = () => ws.readyState === ws.OPEN;

  async function synthesize(requestId: string, ssml: string): Promise<void> {
    const text = ssmlText(ssml);
    const turn: FakeTtsTurn = { ssml, outputFormat, text, chunksSent: 0, bytesSent: 0, firstChunkAt: undefined, lastChunkAt: undefined, completed: false };
    deps.onTurn(turn);
    const streamId = newWireId();
    ws.send(textFrame('turn.start', requestId, { context: { serviceTag: newWireId() } }));
    ws.send(textFrame('response', requestId, { context: { serviceTag: newWireId() }, audio: { type: 'inline', streamId } }));
    const audio = toneMulaw(Math.round(text.length * deps.opts.msPerChar * 8));
    for (let at = 0; at < audio.length; at += deps.opts.chunkBytes) {
      await delay(at === 0 ? deps.opts.firstChunkDelayMs : deps.opts.chunkDelayMs);
      if (!open()) return;
      const chunk = audio.subarray(at, at + deps.opts.chunkBytes);
      ws.send(binaryFrame('audio', requestId, chunk, { 'X-StreamId': streamId }));
      turn.chunksSent += 1;
      turn.bytesSent += chunk.length;
      turn.lastChunkAt = performance.now();
      turn.firstChunkAt ??= turn.lastChunkAt;
    }
    if (!open()) return;
    ws.send(textFrame('turn.end', requestId, {}));
    turn.completed = true;
  }

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const msg = parseWireMessage(data, isBinary);
    if (!msg || typeof msg.body !== 'string') return;
    if (msg.path === 'synthesis.context') {
      try {
        const ctx = JSON.parse(msg.body) as { synthesis?: { audio?: { outputFormat?: string } } };
        outputFormat = ctx.synthesis?.audio?.outputFormat;
      } catch {
        outputFormat = undefined;
      }
    } else if (msg.path === 'ssml') {
      const { requestId, body } = msg;
      queue = queue.then(() => synthesize(requestId, body)).catch(() => undefined);
    }
  });
}
