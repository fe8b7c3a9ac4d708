// The voice agent: VAD turns → STT final → LLM stream → TTS per sentence → μ-law out with marks; barge-in; apologies.
import { decodeMulaw, FRAME_BYTES, TurnDetector, BargeInDetector, type Vad } from '@tva/audio';
import { EVENTS, type Logger } from '@tva/logging';
import { ProviderError, type ChatMessage, type ProviderSet, type SttSession } from '@tva/providers';
import type { Agent, AgentContext, ConversationTurn, StartInfo } from '../agents/agent';
import { PhraseCache } from './phrase-cache';
import { TurnRunner } from './turn-runner';

export interface VoiceAgentOptions {
  providers: ProviderSet;
  phrases: PhraseCache;
  greeting: string;
  apology: string;
  createVad(): Vad;
  endSilenceMs: number;
  minSpeechMs: number;
  bargeInMs: number;
  sttFinalTimeoutMs: number;
  ttsTimeoutMs: number;
  transferNumber: string | undefined;
  /** After each finished turn, with the conversation so far. */
  onHistory?(callSid: string, history: ConversationTurn[]): void;
}

export class VoiceAgent implements Agent {
  private ctx!: AgentContext;
  private log!: Logger;
  private readonly history_: ChatMessage[] = [];
  private readonly abort = new AbortController();
  private vad!: Vad;
  private turns!: TurnDetector;
  private barge!: BargeInDetector;
  private stt: SttSession | undefined;
  private finals: string[] = [];
  private current: TurnRunner | undefined;
  private turnCount = 0;
  private lastSpeechAt = 0;
  private stopped = false;
  private turnPending = false;
  private callSid = '';
  /** One decode buffer per call: the per-frame path allocates nothing. */
  private readonly pcm = new Int16Array(FRAME_BYTES);

  constructor(private readonly opts: VoiceAgentOptions) {}

  start(ctx: AgentContext, info: StartInfo): void {
    this.ctx = ctx;
    this.callSid = info.callSid;
    this.log = ctx.log;
    this.vad = this.opts.createVad();
    this.turns = new TurnDetector({ endSilenceMs: this.opts.endSilenceMs, minSpeechMs: this.opts.minSpeechMs });
    this.barge = new BargeInDetector({ minSpeechMs: this.opts.bargeInMs });
    const greeting: ChatMessage = { role: 'assistant', content: this.opts.greeting };
    this.history_.push(greeting);
    this.speakPhrase(this.opts.greeting, 'greeting', greeting);
    void this.startStt();
  }

  media(payload: Buffer): void {
    if (this.stopped) return;
    this.stt?.write(payload);
    for (let off = 0; off + FRAME_BYTES <= payload.length; off += FRAME_BYTES) {
      const speech = this.vad.isSpeech(decodeMulaw(payload.subarray(off, off + FRAME_BYTES), this.pcm));
      if (speech) this.lastSpeechAt = performance.now();
      if (this.barge.push(speech, this.current?.playing ?? false, 20)) this.bargeIn();
      const ev = this.turns.push(speech, 20);
      if (ev?.type === 'end-of-turn') void this.endOfTurn();
    }
  }

  dtmf(digit: string): void {
    if (this.stopped) return;
    if (this.current?.playing) this.bargeIn();
    this.runTurn(`[DTMF ${digit}]`, performance.now(), performance.now());
  }

  mark(name: string): void {
    this.current?.markEchoed(name);
  }

  idle(): boolean {
    return !this.turnPending && !(this.current && (this.current.running || this.current.playing));
  }

  history(): ConversationTurn[] {
    return this.history_
      .filter((m): m is ChatMessage & { role: 'user' | 'assistant' } => (m.role === 'user' || m.role === 'assistant') && m.content.trim() !== '')
      .map((m) => ({ role: m.role, content: m.content }));
  }

  stop(): void {
    this.stopped = true;
    this.current?.cancel();
    this.abort.abort();
    void this.stt?.close();
    void Promise.resolve(this.opts.providers.tts.close?.()).catch(() => undefined);
    this.vad.close();
  }

  private async startStt(): Promise<void> {
    try {
      this.stt = await this.opts.providers.stt.start(
        {
          onPartial: (r) => this.log.debug({ event: EVENTS.STT_PARTIAL, text: r.text }, 'partial'),
          onFinal: (r) => {
            this.finals.push(r.text);
            this.log.info({ event: EVENTS.STT_FINAL, text: r.text, language: r.language }, 'final');
          },
          onError: (err) => {
            this.providerError(err, 'stt');
            this.stt = undefined;
          },
        },
        this.abort.signal,
      );
    } catch (err) {
      this.providerError(err, 'stt');
    }
  }

  private async endOfTurn(): Promise<void> {
    // why: the turn detector fires after endSilenceMs of silence; the caller stopped speaking at the last speech frame.
    const endOfSpeech = this.lastSpeechAt;
    this.turnPending = true;
    if (!this.stt && !this.stopped) await this.startStt();
    if (this.stt) {
      await Promise.race([this.stt.flush().catch(() => undefined), new Promise((r) => setTimeout(r, this.opts.sttFinalTimeoutMs))]);
    }
    const text = this.finals.join(' ').trim();
    this.finals = [];
    this.turnPending = false;
    if (this.stopped) return;
    // why: offline there may be no recognizer for speech; the agent still answers (and offers the keypad) instead of going quiet.
    this.runTurn(text || '[unrecognized speech]', endOfSpeech, performance.now());
  }

  private runTurn(userText: string, endOfSpeech: number, sttFinal: number): void {
    this.current?.cancel();
    this.turnCount += 1;
    this.history_.push({ role: 'user', content: userText });
    const runner = new TurnRunner({
      turn: this.turnCount,
      ctx: this.ctx,
      providers: this.opts.providers,
      history: this.history_,
      ttsTimeoutMs: this.opts.ttsTimeoutMs,
      transferNumber: this.opts.transferNumber,
    });
    this.current = runner;
    runner.timeline.mark('endOfSpeech', endOfSpeech);
    runner.timeline.mark('sttFinal', sttFinal);
    runner.run().then(
      (outcome) => {
        this.opts.onHistory?.(this.callSid, this.history());
        if (outcome.error && this.current === runner) {
          this.providerError(outcome.error, outcome.stage ?? 'llm');
          this.speakPhrase(this.opts.apology, 'apology');
        }
      },
      (err: Error) => this.log.error({ event: 'TURN_ERROR', err: err.message, stack: err.stack }, 'turn failed'),
    );
  }

  private bargeIn(): void {
    const runner = this.current;
    if (!runner) return;
    const heard = runner.interrupt();
    this.ctx.clear();
    this.log.info({ event: EVENTS.BARGE_IN, turn: runner.turn, heardMs: runner.playedMs, heard }, 'caller interrupted; cleared playback');
  }

  private speakPhrase(text: string, kind: 'greeting' | 'apology', entry?: ChatMessage): void {
    const runner = new TurnRunner({ turn: 0, ctx: this.ctx, providers: this.opts.providers, history: [], ttsTimeoutMs: this.opts.ttsTimeoutMs, transferNumber: undefined });
    this.current = runner;
    this.opts.phrases.get(text).then(
      (audio) => {
        if (!this.stopped) runner.playCached(text, audio, kind, entry);
      },
      (err: Error) => this.log.error({ event: 'PHRASE_ERROR', err: err.message }, 'phrase failed'),
    );
  }

  private providerError(err: unknown, stage: string): void {
    const e = err instanceof ProviderError ? err : new ProviderError(stage, 'PROVIDER_BAD_RESPONSE', (err as Error)?.message ?? String(err));
    this.log.warn({ event: EVENTS.PROVIDER_ERROR, stage, provider: e.provider, code: e.code, providerCode: e.providerCode, retryable: e.retryable, err: e.message }, 'provider failed');
  }
}
