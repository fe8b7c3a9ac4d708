// What RECORD mode needs from the webhooks app, and what it gives back.
import type { FastifyRequest } from 'fastify';
import type { Config } from '@tva/config';
import type { Logger } from '@tva/logging';
import type { LlmProvider, SttProvider, TtsProvider } from '@tva/providers';
import type { CallEndedBy, CallEventRecord, TurnRecord } from '@tva/records';
import type { ConversationStore } from './conversation-store';

export type RecordReason = 'media-down' | 'stream-failed' | 'forced';

/** Where RECORD mode reports its turns and endings for the call records and the live page (webhooks' CallRecorder). */
export interface RecordModeRecorder {
  recordTurn(callSid: string, turn: Omit<TurnRecord, 'mode' | 'at'>, event?: Omit<CallEventRecord, 'at'>): void;
  recordThinking(callSid: string): void;
  callEnded(callSid: string, endedBy: CallEndedBy, code?: string): void;
}

export interface RecordModeDeps {
  config: Config;
  logger: Logger;
  providers: { stt: SttProvider; llm: LlmProvider; tts: TtsProvider };
  conversations: ConversationStore;
  /** Throws (a WebhookError from '../webhook-errors') when signatures are on and the request's is wrong; called first in each Twilio-facing route. */
  checkSignature(req: FastifyRequest): void;
  /** Public base URL (https://host) of this request, e.g. from '../public-base'. */
  publicBase(req: FastifyRequest): string;
  /** Downloads a recording; default: GET `${RecordingUrl}.wav` with HTTP basic auth TWILIO_ACCOUNT_SID:TWILIO_AUTH_TOKEN, timeout, size cap. */
  fetchRecording?: (recordingUrl: string, signal: AbortSignal) => Promise<Uint8Array>;
  recorder?: RecordModeRecorder;
}

export interface RecordMode {
  /** TwiML that starts (or resumes) RECORD mode for a call: a short spoken prompt then <Record>. Never slow: cached prompt audio if ready, else <Say>. */
  startTwiml(req: FastifyRequest, callSid: string, reason: RecordReason): Promise<string>;
  /** Resolves when the fixed phrases have been synthesized (or failed): from then on prompts are <Play>, not <Say>. */
  ready(): Promise<void>;
}
