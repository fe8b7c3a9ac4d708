// Runs one agent turn: streams the LLM, sends each sentence to TTS as it completes, plays audio with marks as it arrives.
import { EVENTS } from '@tva/logging';
import { ProviderError, SentenceSplitter, type ChatMessage, type ProviderSet, type ToolCall } from '@tva/providers';
import type { AgentContext } from '../agents/agent';
import { OutboundPacker } from './outbound-packer';
import { PlaybackTracker } from './playback-tracker';
import { TurnTimeline } from './turn-timeline';

export interface TurnRunnerOptions {
  turn: number;
  ctx: AgentContext;
  providers: ProviderSet;
  /** The conversation; the runner appends the assistant's reply (trimmed to what was heard on barge-in). */
  history: ChatMessage[];
  ttsTimeoutMs: number;
  transferNumber: string | undefined;
}

export interface TurnOutcome {
  error?: unknown;
  stage?: 'llm' | 'tts';
  interrupted: boolean;
}

let markSeq = 0;
const PHRASE_CHUNK_BYTES = 800;

export class TurnRunner {
  readonly timeline = new TurnTimeline();
  readonly turn: number;
  private readonly tracker = new PlaybackTracker();
  private readonly controller = new AbortController();
  private reply: ChatMessage | undefined;
  private interrupted = false;
  /** The LLM/TTS part of the turn is still running. */
  running = false;

  constructor(private readonly o: TurnRunnerOptions) {
    this.turn = o.turn;
  }

  get playing(): boolean {
    return this.tracker.playing;
  }

  get playedMs(): number {
    return this.tracker.playedMs;
  }

  markEchoed(name: string): void {
    if (this.tracker.markEchoed(name)) this.o.ctx.log.debug({ event: EVENTS.MARK, name }, 'played');
  }

  /** A newer turn replaces this one: stop generating, let what is queued play. */
  cancel(): void {
    this.controller.abort();
  }

  /** Barge-in: stop everything and keep in history only what the caller heard. Returns that text. */
  interrupt(): string {
    this.interrupted = true;
    this.tracker.clear();
    this.controller.abort();
    const heard = this.tracker.heardText();
    if (this.reply) this.reply.content = heard;
    return heard;
  }

  /** Plays already-synthesized audio (greeting, apology) in 100 ms chunks with marks; `entry` is trimmed on barge-in. */
  playCached(text: string, audio: Uint8Array, kind: string, entry?: ChatMessage): void {
    this.reply = entry;
    const sentence = this.tracker.beginSentence(text);
    for (let off = 0; off < audio.length && !this.controller.signal.aborted; off += PHRASE_CHUNK_BYTES) {
      this.send(sentence, audio.subarray(off, off + PHRASE_CHUNK_BYTES));
    }
    this.o.ctx.log.info({ event: EVENTS.MEDIA_TX, kind, ms: audio.length / 8 }, `${kind} queued`);
  }

  async run(): Promise<TurnOutcome> {
    this.running = true;
    const { ctx, providers } = this.o;
    const signal = this.controller.signal;
    const splitter = new SentenceSplitter();
    const toolCalls: ToolCall[] = [];
    let ttsChain: Promise<void> = Promise.resolve();
    let ttsError: unknown;
    const enqueue = (sentence: string) => {
      ttsChain = ttsChain.then(() => (signal.aborted || ttsError ? undefined : this.speak(sentence).catch((e: unknown) => void (ttsError ??= e))));
    };
    const request = [...this.o.history];
    this.reply = { role: 'assistant', content: '' };
    this.o.history.push(this.reply);
    let full = '';
    try {
      for await (const chunk of providers.llm.stream(request, signal)) {
        if (chunk.type === 'text') {
          if (this.timeline.mark('llmFirstToken')) ctx.log.info({ event: EVENTS.LLM_FIRST_TOKEN, turn: this.turn }, 'first token');
          full += chunk.text;
          if (!this.interrupted) this.reply.content = full;
          for (const s of splitter.push(chunk.text)) enqueue(s);
        } else {
          toolCalls.push(chunk.call);
        }
      }
    } catch (err) {
      if (!signal.aborted) return this.finish({ error: err, stage: 'llm', interrupted: false });
    }
    const rest = splitter.flush();
    if (rest && !signal.aborted) enqueue(rest);
    await ttsChain;
    if (ttsError && !signal.aborted) return this.finish({ error: ttsError, stage: 'tts', interrupted: false });
    if (!signal.aborted) await this.runTools(toolCalls);
    return this.finish({ interrupted: this.interrupted });
  }

  private finish(outcome: TurnOutcome): TurnOutcome {
    this.running = false;
    this.o.ctx.log.info({ event: EVENTS.TURN, turn: this.turn, ...this.timeline.summary(), interrupted: this.interrupted, failed: outcome.stage ?? null }, 'turn');
    return outcome;
  }

  private async runTools(calls: ToolCall[]): Promise<void> {
    for (const call of calls) {
      this.o.history.push({ role: 'assistant', content: '', toolCalls: [call] });
      this.o.history.push({ role: 'tool', toolCallId: call.id, content: 'ok' });
      if (call.name === 'end_call' || call.name === 'transfer_call') {
        // why: let the goodbye play out before closing; Twilio drops queued audio when the stream closes.
        const deadline = Date.now() + 15000;
        while (this.tracker.playing && Date.now() < deadline && !this.controller.signal.aborted) await new Promise((r) => setTimeout(r, 50));
        const reason = call.name === 'transfer_call' ? `transfer:${this.o.transferNumber ?? 'unset'}` : 'end_call';
        this.o.ctx.endCall(reason);
        return;
      }
    }
  }

  private async speak(text: string): Promise<void> {
    const { ctx, providers, ttsTimeoutMs } = this.o;
    const child = new AbortController();
    const onAbort = () => child.abort();
    this.controller.signal.addEventListener('abort', onAbort);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.abort();
    }, ttsTimeoutMs);
    const sentence = this.tracker.beginSentence(text);
    const packer = new OutboundPacker();
    let bytes = 0;
    try {
      for await (const audio of providers.tts.synthesize(text, child.signal)) {
        clearTimeout(timer);
        this.timeline.mark('ttsFirstAudio');
        bytes += audio.length;
        const ready = packer.push(audio);
        if (ready) this.send(sentence, ready);
      }
      const last = packer.flush();
      if (last && !child.signal.aborted) this.send(sentence, last);
    } finally {
      clearTimeout(timer);
      this.controller.signal.removeEventListener('abort', onAbort);
    }
    if (timedOut && bytes === 0) throw new ProviderError(providers.tts.name, 'PROVIDER_TIMEOUT', `no TTS audio within ${ttsTimeoutMs} ms`);
    this.timeline.ttsLenMs += bytes / 8;
    ctx.log.info({ event: EVENTS.TTS_LEN_MS, turn: this.turn, ms: bytes / 8, chars: text.length }, 'sentence synthesized');
  }

  private send(sentence: number, audio: Uint8Array): void {
    if (this.interrupted) return;
    markSeq += 1;
    const mark = `t${this.turn}-${markSeq}`;
    this.tracker.chunkSent(sentence, mark, audio.length);
    this.o.ctx.sendAudio(audio, mark);
    if (this.timeline.mark('mediaTx')) this.o.ctx.log.info({ event: EVENTS.MEDIA_TX, turn: this.turn, bytes: audio.length }, 'first audio out');
  }
}
