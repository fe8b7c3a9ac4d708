// AGENT=echo, the line test: plays the caller's audio back in 100 ms chunks with a mark after each.
import { Rechunker } from '@tva/audio';
import type { Agent, AgentContext } from './agent';

// why: whole multiples of 20 ms, and ≥ 50 ms per message, avoid Twilio's reported stutter on tiny chunks.
const CHUNK_BYTES = 800;

export class EchoAgent implements Agent {
  private ctx: AgentContext | undefined;
  private readonly chunker = new Rechunker(CHUNK_BYTES);
  private sent = 0;

  start(ctx: AgentContext): void {
    this.ctx = ctx;
  }

  media(payload: Buffer): void {
    for (const chunk of this.chunker.push(payload)) this.send(chunk);
  }

  dtmf(): void {}

  mark(): void {}

  stop(): void {
    const rest = this.chunker.flush();
    if (rest) this.send(rest);
    this.ctx = undefined;
  }

  private send(chunk: Uint8Array): void {
    this.sent += 1;
    this.ctx?.sendAudio(chunk, `echo-${this.sent}`);
  }
}
