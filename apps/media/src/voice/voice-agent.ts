// The voice agent: VAD turns → STT final → LLM stream → TTS per sentence → μ-law out with marks; barge-in; apologies.
import { decodeMulaw, FRAME_BYTES, TurnDetector, BargeInDetector, type Vad } from '@tva/audio';
import { EVENTS, type Logger } from '@tva/logging';
import { UNRECOGNIZED_SPEECH_TURN, callTools, dtmfTurnText, logProviderFailure, type CallTools, type ProviderSet, type SttSession } from '@tva/providers';
import type { Agent, AgentContext, ConversationTurn, StartInfo } from '../agents/agent';
import type { CallFeedSink } from '../call-feed';
import { CallReporter } from '../call-feed-reporter';
import type { MediaErrorCode } from '../media-errors';
import { type AssistantEntry, Conversation } from './conversation';
import type { PhraseCache } from './phrase-cache';
import { Playback, type Utterance } from './playback';
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
  /** TRANSFER_NUMBER; without a valid one transfer_call is neither offered nor obeyed. */
  transferNumber: string | undefined;
  /** After each finished turn, with the conversation so far. */
  onHistory?(callSid: string, history: ConversationTurn[]): void;
  /** The call feed (records, live console): turns, events and state changes, queued off the audio path. */
  feed?: CallFeedSink;
}

/** A fixed phrase being played (greeting, apology) and its place in the history. */
interface PhrasePlaying {
  utterance: Utterance;
  entry: AssistantEntry;
}

export class VoiceAgent implements Agent {
  private ctx!: AgentContext;
  private log!: Logger;
  private playback!: Playback;
  private readonly conversation = new Conversation();
  private readonly tools: CallTools;
  private readonly abort = new AbortController();
  private vad!: Vad;
  private turns!: TurnDetector;
  private barge!: BargeInDetector;
  private stt: SttSession | undefined;
  private finals: string[] = [];
  private current: TurnRunner | undefined;
  private phrase: PhrasePlaying | undefined;
  private turnCount = 0;
  private lastSpeechAt = 0;
  private stopped = false;
  private turnPending = false;
  private callSid = '';
  private report: CallReporter | undefined;
  /** One decode buffer per call: the per-frame path allocates nothing. */
  private readonly pcm = new Int16Array(FRAME_BYTES);

  constructor(private readonly opts: VoiceAgentOptions) {
    this.tools = callTools(opts.transferNumber);
  }

  start(ctx: AgentContext, info: StartInfo): void {
    this.ctx = ctx;
    this.callSid = info.callSid;
    this.log = ctx.log;
    if (this.opts.feed) {
      this.report = new CallReporter(this.opts.feed, info.callSid);
      this.report.start(info.streamSid, ctx.direction ?? 'phone', this.opts.providers);
    }
    this.playback = new Playback(ctx);
    this.vad = this.opts.createVad();
    this.turns = new TurnDetector({ endSilenceMs: this.opts.endSilenceMs, minSpeechMs: this.opts.minSpeechMs });
    this.barge = new BargeInDetector({ minSpeechMs: this.opts.bargeInMs });
    this.speakPhrase(this.opts.greeting, 'greeting');
    void this.startStt();
  }

  media(payload: Buffer): void {
    if (this.stopped) return;
    this.stt?.write(payload);
    for (let off = 0; off + FRAME_BYTES <= payload.length; off += FRAME_BYTES) {
      const speech = this.vad.isSpeech(decodeMulaw(payload.subarray(off, off + FRAME_BYTES), this.pcm));
      if (speech) this.lastSpeechAt = performance.now();
      if (this.barge.push(speech, this.playback.playing, 20)) this.bargeIn();
      const ev = this.turns.push(speech, 20);
      if (ev?.type === 'end-of-turn') void this.endOfTurn();
    }
    this.syncState();
  }

  dtmf(digit: string): void {
    if (this.stopped) return;
    const text = dtmfTurnText(digit);
    if (text === undefined) {
      this.log.warn({ event: EVENTS.DTMF, code: 'MEDIA_ERR_DTMF_DIGIT' satisfies MediaErrorCode }, 'not a DTMF key; ignored');
      return;
    }
    this.report?.event('dtmf', undefined, digit);
    if (this.playback.playing) this.bargeIn();
    this.runTurn(text, performance.now(), performance.now());
  }

  mark(name: string): void {
    // why: CallSession already logs each mark (debug); a second line per mark would only cost.
    this.playback.markEchoed(name);
    this.syncState();
  }

  idle(): boolean {
    return !this.turnPending && !this.current?.running && !this.playback.playing;
  }

  history(): ConversationTurn[] {
    return this.conversation.turns();
  }

  stop(): void {
    this.stopped = true;
    this.current?.cancel();
    this.abort.abort();
    this.playback?.close();
    void this.stt?.close();
    void Promise.resolve(this.opts.providers.tts.close?.()).catch(() => undefined);
    this.vad?.close();
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
            this.providerFailed(err, 'stt');
            this.stt = undefined;
          },
        },
        this.abort.signal,
      );
    } catch (err) {
      this.providerFailed(err, 'stt');
    }
  }

  private async endOfTurn(): Promise<void> {
    // why: the turn detector fires after endSilenceMs of silence; the caller stopped speaking at the last speech frame.
    const endOfSpeech = this.lastSpeechAt;
    this.turnPending = true;
    this.syncState();
    if (!this.stt && !this.stopped) {
      this.report?.event('reconnect', undefined, 'stt');
      await this.startStt();
    }
    if (this.stt) {
      await Promise.race([this.stt.flush().catch(() => undefined), new Promise((r) => setTimeout(r, this.opts.sttFinalTimeoutMs))]);
    }
    const text = this.finals.join(' ').trim();
    this.finals = [];
    this.turnPending = false;
    if (this.stopped) return;
    // why: offline there may be no recognizer for speech; the agent still answers (and offers the keypad) instead of going quiet.
    this.runTurn(text || UNRECOGNIZED_SPEECH_TURN, endOfSpeech, performance.now());
  }

  private runTurn(userText: string, endOfSpeech: number, sttFinal: number): void {
    this.current?.cancel();
    // why: a phrase still waiting for its audio would play after the caller has moved on; it is dropped, unheard.
    if (this.phrase && this.phrase.utterance.sentBytes === 0) {
      this.interruptPhrase(this.phrase);
      this.phrase = undefined;
    }
    this.turnCount += 1;
    this.conversation.user(userText);
    const runner = new TurnRunner({
      turn: this.turnCount,
      ctx: this.ctx,
      providers: this.opts.providers,
      conversation: this.conversation,
      playback: this.playback,
      tools: this.tools,
      ttsTimeoutMs: this.opts.ttsTimeoutMs,
    });
    this.current = runner;
    runner.timeline.mark('endOfSpeech', endOfSpeech);
    runner.timeline.mark('sttFinal', sttFinal);
    const running = runner.run();
    this.syncState();
    running.then(
      (outcome) => {
        if (outcome.error) this.providerFailed(outcome.error, outcome.stage ?? 'llm', { turn: runner.turn });
        if (outcome.failure) this.report?.event('provider-error', outcome.failure, 'llm');
        // why: every turn ends with the caller hearing something; a failed one ends with the apology.
        if ((outcome.error || outcome.failure) && this.current === runner && !this.stopped) this.speakPhrase(this.opts.apology, 'apology');
        this.opts.onHistory?.(this.callSid, this.conversation.turns());
        const report = (): void =>
          this.report?.turn({
            turn: runner.turn,
            callerText: userText,
            agentText: runner.heardText(),
            interrupted: runner.wasInterrupted,
            failed: Boolean(outcome.error || outcome.failure),
            summary: runner.timeline.summary(),
          });
        // why twice: reported now, the turn is in the record even if the worker dies while the reply plays; a barge-in
        // during playback then re-reports it as heard (same turn number: the record replaces it).
        report();
        if (this.report && !runner.wasInterrupted) void this.playback.drained().then(() => runner.wasInterrupted && report());
        if (!this.stopped) this.syncState();
      },
      (err: Error) => {
        this.log.error({ event: EVENTS.TURN_ERROR, code: 'MEDIA_ERR_TURN' satisfies MediaErrorCode, err: err.message, stack: err.stack }, 'turn failed');
        this.report?.event('error', 'MEDIA_ERR_TURN' satisfies MediaErrorCode, err.message);
      },
    );
  }

  private bargeIn(): void {
    this.ctx.clear();
    this.playback.clear();
    const runner = this.current;
    const phrase = this.phrase;
    this.phrase = undefined;
    const replyHeard = runner?.interrupt();
    const phraseHeard = phrase && this.interruptPhrase(phrase);
    const heardMs = phraseHeard !== undefined ? phrase?.utterance.playedMs : replyHeard !== undefined ? runner?.playedMs : 0;
    this.log.info({ event: EVENTS.BARGE_IN, turn: runner?.turn ?? 0, heardMs, heard: phraseHeard ?? replyHeard ?? '' }, 'caller interrupted; cleared playback');
    this.report?.event('barge-in', undefined, `turn ${runner?.turn ?? 0}, ${Math.round(heardMs ?? 0)} ms heard`);
  }

  /** Logs a provider failure (with its code) and reports it on the call's timeline. */
  private providerFailed(err: unknown, stage: string, fields: Record<string, unknown> = {}): void {
    const code = logProviderFailure(this.log, err, stage, fields);
    this.report?.event('provider-error', code, stage);
  }

  /** Speaking while audio is unplayed, thinking while a turn is being worked out, listening otherwise (sent on change only). */
  private syncState(): void {
    if (!this.report) return;
    this.report.setState(this.playback.playing ? 'speaking' : this.turnPending || this.current?.running ? 'thinking' : 'listening');
  }

  /** Like TurnRunner.interrupt for a fixed phrase: flags it with what was heard when it was cut short (or never began). */
  private interruptPhrase({ utterance, entry }: PhrasePlaying): string | undefined {
    const cut = utterance.sentBytes === 0 || utterance.unplayed;
    utterance.stop();
    if (!cut) return undefined;
    const heard = utterance.heardText();
    this.conversation.interrupt(entry, heard);
    return heard;
  }

  /** A fixed phrase (greeting, apology) from the cache, through the same Playback as every reply; it joins the history. */
  private speakPhrase(text: string, kind: 'greeting' | 'apology'): void {
    const playing: PhrasePlaying = { utterance: this.playback.utterance(), entry: this.conversation.assistant(text) };
    this.phrase = playing;
    const play = (audio: Uint8Array): void => {
      if (this.stopped || this.phrase !== playing) return;
      playing.utterance.say(text, audio);
      this.log.info({ event: EVENTS.MEDIA_TX, kind, ms: audio.length / 8 }, `${kind} queued`);
    };
    const cached = this.opts.phrases.peek(text);
    if (cached) return play(cached);
    this.opts.phrases.get(text).then(play, (err: Error) => this.log.error({ event: EVENTS.PHRASE_CACHE, code: 'MEDIA_ERR_PHRASE' satisfies MediaErrorCode, err: err.message }, 'phrase failed'));
  }
}
