// Registers RECORD mode on the webhooks app: the <Record action>, hold/continue, silence re-prompts, and /audio/{id}.wav.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EVENTS } from '@tva/logging';
import { ScriptedLlmProvider, callTools } from '@tva/providers';
import { WebhookError } from '../webhook-errors';
import { AUDIO_ID_PATTERN, AudioStore } from './audio-store';
import { createRecordingFetcher } from './fetch-recording';
import { PendingTurns, TIMED_OUT, within } from './pending-turns';
import { PhraseAudio } from './phrase-audio';
import { RecordAnswers } from './record-answers';
import { RECORD_ERRORS } from './record-errors';
import type { RecordMode, RecordModeDeps } from './record-mode-types';
import { Languages, type PhraseKind, phraseText } from './record-phrases';
import { type TurnDeps, type TurnOutcome, lastUserText, runTurn } from './record-turn';
import { AUDIO_PATH, CONTINUE_PATH, RECORDING_PATH, RESUME_PATH, emptyTwiml, endTwiml } from './record-twiml';

type Form = Record<string, string | undefined>;

/** Silent <Record>s in a row before the agent says goodbye (a phone left off the hook must not loop forever). */
export const MAX_SILENT_PROMPTS = 3;
const HUNG_UP = new Set(['completed', 'canceled', 'busy', 'failed', 'no-answer']);

function formOf(req: FastifyRequest): Form {
  return (req.body && typeof req.body === 'object' ? req.body : {}) as Form;
}

function callSidOf(form: Form): string {
  const callSid = form['CallSid'];
  if (!callSid) throw new WebhookError('WH_ERR_MISSING_CALL_SID');
  return callSid;
}

const xml = (reply: FastifyReply, body: string): FastifyReply => reply.type('text/xml').send(body);

export function registerRecordMode(app: FastifyInstance, deps: RecordModeDeps): RecordMode {
  const { config, logger, conversations, providers } = deps;
  const budgetMs = config.recordTurnBudgetMs;
  const languages = new Languages(config.ttsLanguage);
  const audio = new AudioStore();
  const phrases = new PhraseAudio(providers.tts, audio, logger);
  const answers = new RecordAnswers(phrases, languages, { maxLengthS: config.recordMaxLengthS, silenceTimeoutS: config.recordSilenceTimeoutS }, config.apologyText);
  // why: a turn may outlive its webhook by two hold rounds; past that the caller has waited long enough for an apology.
  const deadlineMs = budgetMs * 3;
  const pending = new PendingTurns<TurnOutcome>(deadlineMs + 60_000);
  // Twilio's .wav recordings are 16-bit 8 kHz mono: 16 kB a second; twice that is a generous cap.
  const maxBytes = Math.min(64 * 1024 * 1024, Math.max(1024 * 1024, config.recordMaxLengthS * 32_000));
  const turnDeps: TurnDeps = {
    providers,
    conversations,
    fetchRecording: deps.fetchRecording ?? createRecordingFetcher({ accountSid: config.twilioAccountSid, authToken: config.twilioAuthToken, maxBytes }),
    audio,
    languages,
    log: logger,
    deadlineMs,
    tools: callTools(config.transferNumber),
    ...(deps.recorder ? { recorder: deps.recorder } : {}),
  };

  const greeting = (): string =>
    config.greetingText ??
    (providers.llm instanceof ScriptedLlmProvider ? providers.llm.greeting(languages.default) : phraseText('greeting', languages.default));

  const started = performance.now();
  const kinds: PhraseKind[] = ['notHeard', 'stillThere', 'hold', 'resume'];
  const warmed = Promise.all([greeting(), config.apologyText, ...kinds.map((k) => phraseText(k, languages.default))].map((t) => phrases.warm(t))).then(() => {
    logger.info({ event: EVENTS.RECORD_PHRASES_READY, ms: Math.round(performance.now() - started) }, 'RECORD-mode phrases cached');
  });

  const callerLanguage = (callSid: string) => languages.ofCaller(undefined, lastUserText(conversations.get(callSid)));

  /** The turn's answer if it comes within `waitMs`; else a hold phrase and a <Redirect> to record_continue. */
  async function answerWithin(base: string, callSid: string, work: Promise<TurnOutcome>, waitMs: number, turnId?: string): Promise<string> {
    const outcome = await within(work, waitMs);
    if (outcome === TIMED_OUT) {
      const id = turnId ?? pending.add(callSid, work);
      logger.info({ event: EVENTS.RECORD_HOLD, callSid, turnId: id, waitedMs: Math.round(waitMs) }, 'RECORD answer not ready: hold phrase and redirect');
      return answers.hold(base, callerLanguage(callSid), id);
    }
    if (turnId) pending.delete(turnId);
    if (outcome.kind === 'reply' && outcome.end) deps.recorder?.callEnded(callSid, outcome.end.kind === 'transfer' ? 'transfer' : 'agent-end');
    return answers.fromOutcome(base, outcome);
  }

  /** Never an HTTP error to Twilio once the request is authentic: an unexpected failure becomes the apology. */
  async function safely(base: string, callSid: string, build: () => Promise<string>): Promise<string> {
    try {
      return await build();
    } catch (err) {
      logger.error({ event: EVENTS.RECORD_ERROR, callSid, code: 'REC_ERR_INTERNAL', err: String(err) }, RECORD_ERRORS.REC_ERR_INTERNAL.message);
      return answers.apology(base);
    }
  }

  app.post(RECORDING_PATH, async (req, reply) => {
    const t0 = performance.now();
    deps.checkSignature(req);
    const form = formOf(req);
    const callSid = callSidOf(form);
    const duration = form['RecordingDuration'] === undefined ? undefined : Number(form['RecordingDuration']);
    if (form['Digits'] === 'hangup' || HUNG_UP.has(form['CallStatus'] ?? '')) {
      logger.info({ event: EVENTS.RECORD_HANGUP, callSid, recordingDurationS: duration, callStatus: form['CallStatus'] }, 'caller hung up during <Record>');
      deps.recorder?.callEnded(callSid, 'caller-hangup');
      return xml(reply, emptyTwiml());
    }
    const base = deps.publicBase(req);
    deps.recorder?.recordThinking(callSid);
    return xml(reply, await safely(base, callSid, () => {
      const input = { callSid, recordingUrl: form['RecordingUrl'], recordingDurationS: Number.isFinite(duration) ? duration : undefined, digits: form['Digits'] };
      return answerWithin(base, callSid, runTurn(turnDeps, input), budgetMs - (performance.now() - t0));
    }));
  });

  app.post(CONTINUE_PATH, async (req, reply) => {
    const t0 = performance.now();
    deps.checkSignature(req);
    const callSid = callSidOf(formOf(req));
    const base = deps.publicBase(req);
    const turnId = (req.query as Form)['turn'];
    const turn = pending.get(turnId, callSid);
    if (!turn || !turnId) {
      logger.warn({ event: EVENTS.RECORD_ERROR, callSid, code: 'REC_ERR_UNKNOWN_TURN' }, RECORD_ERRORS.REC_ERR_UNKNOWN_TURN.message);
      return xml(reply, answers.apology(base));
    }
    return xml(reply, await safely(base, callSid, () => answerWithin(base, callSid, turn.work, budgetMs - (performance.now() - t0), turnId)));
  });

  app.post(RESUME_PATH, async (req, reply) => {
    deps.checkSignature(req);
    const callSid = callSidOf(formOf(req));
    const base = deps.publicBase(req);
    const silent = Math.max(1, Math.min(MAX_SILENT_PROMPTS, Number.parseInt((req.query as Form)['silent'] ?? '1', 10) || 1));
    const language = callerLanguage(callSid);
    logger.info({ event: EVENTS.RECORD_SILENCE, callSid, silent }, `caller silent (${silent} in a row)`);
    if (silent >= MAX_SILENT_PROMPTS) deps.recorder?.callEnded(callSid, 'agent-end');
    if (silent >= MAX_SILENT_PROMPTS) return xml(reply, endTwiml([answers.phrase(base, 'silentGoodbye', language)], { kind: 'hangup' }));
    return xml(reply, answers.listen(base, answers.phrase(base, 'stillThere', language), silent + 1));
  });

  // No signature here: Twilio fetches <Play> URLs unsigned; the 128-bit id is the capability.
  app.get(`${AUDIO_PATH}/:file`, async (req, reply) => {
    const id = /^(.+)\.wav$/.exec((req.params as { file: string }).file)?.[1];
    const wav = id !== undefined && AUDIO_ID_PATTERN.test(id) ? audio.get(id) : undefined;
    if (!wav) return reply.code(RECORD_ERRORS.REC_ERR_AUDIO_NOT_FOUND.status).type('application/json').send({ code: 'REC_ERR_AUDIO_NOT_FOUND', message: RECORD_ERRORS.REC_ERR_AUDIO_NOT_FOUND.message });
    return reply.type('audio/wav').header('cache-control', 'private, max-age=600').send(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
  });

  return {
    ready: () => warmed,
    async startTwiml(req, callSid, reason) {
      const base = deps.publicBase(req);
      const history = conversations.get(callSid);
      const fresh = history.length === 0;
      logger.info({ event: EVENTS.FALLBACK_RECORD, callSid, reason, historyTurns: history.length }, `call continues turn by turn with <Record> (${reason})`);
      if (!fresh) return answers.listen(base, answers.phrase(base, 'resume', callerLanguage(callSid)));
      const text = greeting();
      conversations.set(callSid, [{ role: 'assistant', content: text }]);
      return answers.listen(base, answers.speech(base, text));
    },
  };
}
