// Runs one agent turn: the LLM reply under the shared turn policy, each sentence to TTS as it completes, audio out through Playback.
import { EVENTS } from '@tva/logging';
import { ProviderError, SentenceSplitter, runLlmReply, type CallTools, type LlmReply, type ProviderSet, type TurnErrorCode } from '@tva/providers';
import type { AgentContext, CallAction } from '../agents/agent';
import type { AssistantEntry, Conversation } from './conversation';
import type { Playback, Utterance } from './playback';
import { TurnTimeline } from './turn-timeline';

export interface TurnRunnerOptions {
  turn: number;
  ctx: AgentContext;
  providers: ProviderSet;
  /** Already holds the caller's turn; the runner adds the reply. */
  conversation: Conversation;
  playback: Playback;
  tools: CallTools;
  ttsTimeoutMs: number;
}

export interface TurnOutcome {
  /** A provider failed: the caller hears the apology. */
  error?: unknown;
  stage?: 'llm' | 'tts';
  /** The model gave nothing the caller could hear (the policy logged why): the caller hears the apology. */
  failure?: TurnErrorCode;
  interrupted: boolean;
}

/** One answer of the model (a re-ask makes a second): its place in the history and its audio. */
interface Part {
  entry: AssistantEntry;
  utterance: Utterance;
}

/** A goodbye gets this long to play before the call is ended anyway. */
const GOODBYE_PLAY_MS = 15_000;

export class TurnRunner {
  readonly timeline = new TurnTimeline();
  readonly turn: number;
  private readonly controller = new AbortController();
  private readonly parts: Part[] = [];
  private interrupted = false;
  /** The turn's first audio is out (mediaTx marked). */
  private mediaTxSeen = false;
  /** The LLM/TTS part of the turn is still running. */
  running = false;

  constructor(private readonly o: TurnRunnerOptions) {
    this.turn = o.turn;
    this.newPart();
  }

  /** Milliseconds of this turn's reply confirmed played. */
  get playedMs(): number {
    return this.parts.reduce((n, p) => n + p.utterance.playedMs, 0);
  }

  /** The reply as the caller heard it (cut at barge-in), for the call's record. */
  heardText(): string {
    return this.parts
      .map((p) => (p.entry.interrupted ? (p.entry.heard ?? '') : p.entry.content))
      .filter((t) => t.trim() !== '')
      .join(' ');
  }

  /** The caller cut this reply short. */
  get wasInterrupted(): boolean {
    return this.interrupted;
  }

  /** A newer turn replaces this one: stop generating, let what is queued play. */
  cancel(): void {
    this.controller.abort();
  }

  /**
   * Barge-in (after Playback.clear()): stop everything. Each answer that was cut short is flagged with what the caller
   * heard; returns that text, or undefined when the reply had already played out whole.
   */
  interrupt(): string | undefined {
    const last = this.parts.at(-1);
    const cut = this.parts.filter((p) => p.utterance.unplayed || (this.running && p === last));
    this.controller.abort();
    for (const p of this.parts) p.utterance.stop();
    if (cut.length === 0) return undefined;
    this.interrupted = true;
    const heard = cut.map((p) => {
      const text = p.utterance.heardText();
      this.o.conversation.interrupt(p.entry, text);
      return text;
    });
    return heard.filter(Boolean).join(' ');
  }

  async run(): Promise<TurnOutcome> {
    this.running = true;
    const { ctx, providers, conversation } = this.o;
    const signal = this.controller.signal;
    const splitter = new SentenceSplitter();
    let tts: Promise<void> = Promise.resolve();
    let ttsError: unknown;
    const enqueue = (sentence: string, utterance: Utterance): void => {
      tts = tts.then(() => (signal.aborted || ttsError ? undefined : this.speak(sentence, utterance).catch((e: unknown) => void (ttsError ??= e))));
    };
    const part = (): Part => this.parts.at(-1) as Part;
    let reply: LlmReply;
    try {
      reply = await runLlmReply({
        llm: providers.llm,
        messages: conversation.forLlm(part().entry),
        tools: this.o.tools,
        signal,
        log: ctx.log,
        onText: (text) => {
          if (this.timeline.mark('llmFirstToken')) ctx.log.info({ event: EVENTS.LLM_FIRST_TOKEN, turn: this.turn }, 'first token');
          part().entry.content += text;
          for (const s of splitter.push(text)) enqueue(s, part().utterance);
        },
        onReask: (answered) => {
          const rest = splitter.flush();
          if (rest) enqueue(rest, part().utterance);
          conversation.answer(part().entry, answered);
          this.newPart();
        },
      });
    } catch (err) {
      await tts;
      return this.finish({ error: err, stage: 'llm', interrupted: false });
    }
    const rest = splitter.flush();
    if (rest && !signal.aborted) enqueue(rest, part().utterance);
    const last = reply.attempts.at(-1);
    if (last) conversation.answer(part().entry, last, reply.aborted);
    await tts;
    if (ttsError && !signal.aborted) return this.finish({ error: ttsError, stage: 'tts', interrupted: false });
    if (reply.failure) return this.finish({ failure: reply.failure, interrupted: false });
    if (reply.action && !signal.aborted) await this.endCall(reply.action);
    return this.finish({ interrupted: this.interrupted });
  }

  private newPart(): void {
    this.parts.push({ entry: this.o.conversation.assistant(), utterance: this.o.playback.utterance() });
  }

  private finish(outcome: TurnOutcome): TurnOutcome {
    this.running = false;
    const failed = outcome.stage ?? (outcome.failure ? 'llm' : null);
    this.o.ctx.log.info({ event: EVENTS.TURN, turn: this.turn, ...this.timeline.summary(), interrupted: this.interrupted, failed }, 'turn');
    return outcome;
  }

  /** why wait: Twilio drops queued audio when the stream closes, so the goodbye plays out first; a barge-in keeps the call. */
  private async endCall(action: CallAction): Promise<void> {
    const signal = this.controller.signal;
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, GOODBYE_PLAY_MS);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([this.o.playback.drained(), givenUp]);
    clearTimeout(timer);
    if (!signal.aborted) this.o.ctx.endCall(action);
  }

  private async speak(text: string, utterance: Utterance): Promise<void> {
    const { ctx, providers, ttsTimeoutMs } = this.o;
    const child = new AbortController();
    const onAbort = (): void => child.abort();
    this.controller.signal.addEventListener('abort', onAbort);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.abort();
    }, ttsTimeoutMs);
    const sentence = utterance.sentence(text);
    let bytes = 0;
    try {
      for await (const audio of providers.tts.synthesize(text, child.signal)) {
        clearTimeout(timer);
        this.timeline.mark('ttsFirstAudio');
        bytes += audio.length;
        sentence.push(audio);
        this.noteFirstAudio(utterance);
      }
      if (!child.signal.aborted) {
        sentence.end();
        this.noteFirstAudio(utterance);
      }
    } finally {
      clearTimeout(timer);
      this.controller.signal.removeEventListener('abort', onAbort);
    }
    if (timedOut && bytes === 0) throw new ProviderError(providers.tts.name, 'PROVIDER_TIMEOUT', `no TTS audio within ${ttsTimeoutMs} ms`);
    this.timeline.ttsLenMs += bytes / 8;
    ctx.log.info({ event: EVENTS.TTS_LEN_MS, turn: this.turn, ms: bytes / 8, chars: text.length }, 'sentence synthesized');
  }

  private noteFirstAudio(utterance: Utterance): void {
    // why: runs for every TTS chunk; once the first audio is out, skip summing the utterance's chunks again.
    if (this.mediaTxSeen) return;
    if (utterance.sentBytes > 0 && this.timeline.mark('mediaTx')) {
      this.mediaTxSeen = true;
      this.o.ctx.log.info({ event: EVENTS.MEDIA_TX, turn: this.turn, bytes: utterance.sentBytes }, 'first audio out');
    }
  }
}
