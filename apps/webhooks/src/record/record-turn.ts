// One RECORD turn: recording → STT → LLM (with the call's history) → TTS → stored audio; never rejects.
import { encodeWav } from '@tva/audio';
import { EVENTS, type Logger } from '@tva/logging';
import {
  ProviderError, dtmfTurnText, logProviderFailure, runLlmReply, spokenText,
  type CallTools, type ChatMessage, type LlmProvider, type SttProvider, type TtsProvider,
} from '@tva/providers';
import type { CallAction } from '@tva/security';
import { collectAudio, untilAborted } from './abortable';
import type { AudioStore } from './audio-store';
import type { ConversationStore, ConversationTurn } from './conversation-store';
import type { FetchRecording } from './fetch-recording';
import { RecordError } from './record-errors';
import type { Languages, PhraseLanguage } from './record-phrases';
import type { RecordModeRecorder } from './record-mode-types';

export type TurnStage = 'fetch' | 'stt' | 'llm' | 'tts';

export type TurnOutcome =
  | { kind: 'reply'; text: string; audioId: string | undefined; language: PhraseLanguage; end: CallAction | undefined }
  | { kind: 'not-heard'; language: PhraseLanguage }
  | { kind: 'failed'; stage: TurnStage; code: string };

export interface TurnInput {
  callSid: string;
  recordingUrl: string | undefined;
  /** Seconds Twilio says it recorded; 0 means nothing to fetch. */
  recordingDurationS: number | undefined;
  /** The key that ended the recording, if any ('hangup' is handled before a turn runs). */
  digits: string | undefined;
}

export interface TurnDeps {
  providers: { stt: SttProvider; llm: LlmProvider; tts: TtsProvider };
  conversations: ConversationStore;
  fetchRecording: FetchRecording;
  audio: AudioStore;
  languages: Languages;
  log: Logger;
  /** The whole turn is abandoned (apology) after this. */
  deadlineMs: number;
  /** The same call tools the media worker offers (transfer only with a valid TRANSFER_NUMBER). */
  tools: CallTools;
  /** The call records: each answered or failed turn. */
  recorder?: RecordModeRecorder;
}

export function lastUserText(history: readonly ConversationTurn[]): string | undefined {
  return history.filter((t) => t.role === 'user').at(-1)?.content;
}

export async function runTurn(deps: TurnDeps, input: TurnInput): Promise<TurnOutcome> {
  const t0 = performance.now();
  const ms = (): number => Math.round(performance.now() - t0);
  const timings: Record<string, number> = {};
  const signal = AbortSignal.timeout(deps.deadlineMs);
  const history = deps.conversations.get(input.callSid);
  const turn = history.filter((t) => t.role === 'user').length + 1;
  const line = { event: EVENTS.RECORD_TURN, callSid: input.callSid, turn, recordingDurationS: input.recordingDurationS, digits: input.digits };
  let stage: TurnStage = 'fetch';
  try {
    let userText: string;
    let sttLanguage: string | undefined;
    const keys = input.digits ? dtmfTurnText(input.digits) : undefined;
    if (keys) {
      userText = keys; // the same user turn the media worker makes of a key press
    } else {
      if (input.recordingDurationS === 0) return notHeard();
      const wav = await untilAborted(deps.fetchRecording(input.recordingUrl ?? '', signal), signal);
      timings['fetchMs'] = ms();
      stage = 'stt';
      const heard = await untilAborted(deps.providers.stt.recognizeFile(wav, signal), signal);
      timings['sttMs'] = ms() - timings['fetchMs'];
      userText = heard.text.trim();
      sttLanguage = heard.language;
      if (userText === '') return notHeard();
    }

    stage = 'llm';
    const llmStart = ms();
    const messages: ChatMessage[] = [...history, { role: 'user', content: userText }];
    const answer = await runLlmReply({
      llm: deps.providers.llm,
      messages,
      tools: deps.tools,
      signal,
      log: deps.log.child({ callSid: input.callSid }),
      onText: () => void (timings['llmFirstTokenMs'] ??= ms() - llmStart),
    });
    timings['llmMs'] = ms() - llmStart;
    if (answer.aborted) throw new RecordError('REC_ERR_TURN_TIMEOUT', `${deps.deadlineMs} ms`);
    // why: the same rule as the streaming path: a reply the caller cannot hear ends in the apology (the policy logged why).
    if (answer.failure) return failed(answer.failure);
    const reply = spokenText(answer);
    const end = answer.action;
    const language = deps.languages.ofCaller(sttLanguage, userText);

    stage = 'tts';
    const ttsStart = ms();
    let audioId: string | undefined;
    if (reply !== '') {
      try {
        const mulaw = await collectAudio(deps.providers.tts.synthesize(reply, signal), signal);
        if (mulaw.length > 0) audioId = deps.audio.put(encodeWav(mulaw, { sampleRate: 8000, format: 'mulaw' }));
        timings['ttsAudioMs'] = Math.round(mulaw.length / 8);
      } catch (err) {
        // why: the reply is known, so Twilio's <Say> speaks it rather than an apology that loses the answer.
        logFailure(err);
      }
      timings['ttsMs'] = ms() - ttsStart;
    }

    const assistant: ConversationTurn[] = reply === '' ? [] : [{ role: 'assistant', content: reply }];
    deps.conversations.set(input.callSid, [...history, { role: 'user', content: userText }, ...assistant]);
    deps.log.info({ ...line, outcome: end === undefined ? 'reply' : 'end', ...timings, totalMs: ms(), tts: audioId ? 'audio' : 'say', text: userText, reply }, `RECORD turn ${turn} answered`);
    deps.recorder?.recordTurn(input.callSid, { turn, callerText: userText, agentText: reply || null, interrupted: false, spans: { ...timings, totalMs: ms() } });
    return { kind: 'reply', text: reply, audioId, language, end };
  } catch (err) {
    return failed(logFailure(err));
  }

  function failed(code: string): TurnOutcome {
    deps.log.info({ ...line, outcome: 'failed', stage, code, ...timings, totalMs: ms() }, `RECORD turn ${turn} failed at ${stage}: apology`);
    // why: a provider's code is a provider error on the timeline; anything else (a timeout, our fault) an error.
    const kind = /^(PROVIDER|TURN)_/.test(code) ? 'provider-error' : 'error';
    deps.recorder?.recordTurn(input.callSid, { turn, callerText: null, agentText: null, interrupted: false, failed: true, spans: { ...timings, totalMs: ms() } }, { kind, code, detail: `RECORD turn failed at ${stage}` });
    return { kind: 'failed', stage, code };
  }

  function notHeard(): TurnOutcome {
    deps.log.info({ ...line, outcome: 'not-heard', ...timings, totalMs: ms() }, `RECORD turn ${turn}: nothing recognized, asking again`);
    return { kind: 'not-heard', language: deps.languages.ofCaller(undefined, lastUserText(history)) };
  }

  function logFailure(err: unknown): string {
    if (err instanceof ProviderError && !signal.aborted) return logProviderFailure(deps.log, err, stage, { callSid: input.callSid, mode: 'RECORD' });
    const e = signal.aborted ? new RecordError('REC_ERR_TURN_TIMEOUT', `${deps.deadlineMs} ms`) : err instanceof RecordError ? err : new RecordError('REC_ERR_INTERNAL', String(err), { cause: err });
    deps.log.warn({ event: EVENTS.RECORD_ERROR, callSid: input.callSid, stage, code: e.code, status: e.upstreamStatus, err: e.message }, `RECORD turn failed at ${stage}`);
    return e.code;
  }
}
