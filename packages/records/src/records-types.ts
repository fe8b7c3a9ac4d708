// The call-records contract: what a call, a turn and a call event look like, and the RecordsStore both drivers implement.
//
// Conventions (both drivers behave the same; one test suite runs against each):
// - Every time (`at`, `startedAt`, `endedAt`, query bounds) is epoch milliseconds (Date.now()).
// - Writers may arrive in any order and more than once: every write creates the call's row if it is
//   missing (direction 'phone', numbers unknown), startCall merges (a field given wins over one not known,
//   the earliest startedAt wins), addTurn replaces the same (mode, turn), so a retried batch never duplicates.
// - Policy is applied inside the store, so no writer can forget it: with transcripts off, callerText and
//   agentText are stored as null; with masking on, the caller's number keeps only its last 4 digits
//   (e.g. `+********4567`, so a number-suffix search still finds it); configured secrets are scrubbed from any
//   text before it is written.

/** How the call reached us: a Twilio phone call, or the console's softphone. */
export type CallDirection = 'phone' | 'browser';

/** How a call ended. */
export const CALL_ENDINGS = [
  'agent-end', // the agent hung up (end_call tool)
  'transfer', // the agent transferred the caller
  'caller-hangup', // the caller (or Twilio, or the browser) ended it
  'fallback', // the stream failed and nothing later reported how the RECORD continuation ended
  'error', // our fault ended it
  'unknown', // no one reported the end (e.g. found open by a restart); never overrides a known ending
] as const;
export type CallEndedBy = (typeof CALL_ENDINGS)[number];

/** Streamed over the media WebSocket, or turn by turn with <Record>. */
export type CallMode = 'stream' | 'record';

/** One entry of a call's mode timeline (streamed, then RECORD, …). */
export interface ModeChange {
  mode: CallMode;
  at: number;
}

/** Names of the providers a call used (e.g. 'azure', 'openai:gpt-4o-mini', 'offline'); null when not reported. */
export interface CallProviders {
  stt: string | null;
  llm: string | null;
  tts: string | null;
}

/** One call as listed and as the head of its page. */
export interface CallRecord {
  callSid: string;
  direction: CallDirection;
  /** Caller number (masked when RECORDS_MASK_NUMBERS is on); null when not known (e.g. a browser call). */
  from: string | null;
  /** The number that was called; null when not known. */
  to: string | null;
  startedAt: number;
  /** Null while the call is in progress (or its end was never reported). */
  endedAt: number | null;
  endedBy: CallEndedBy | null;
  /** The error code behind an 'error' (or 'fallback') ending, when one was reported. */
  endCode: string | null;
  modes: ModeChange[];
  providers: CallProviders;
  /** Number of turns recorded. */
  turnCount: number;
  /** Number of 'provider-error' and 'error' events (an 'error' ending counts too). */
  errorCount: number;
  /** True once a 'fallback' event or a 'fallback' ending was recorded. */
  fallback: boolean;
}

/**
 * The streaming path's TURN-line spans, in waterfall order (the keys of apps/media's TurnSummary):
 * end of speech → STT final → LLM first token → TTS first audio → sent, then the total and the audio length.
 * RECORD-mode turns carry their own span names (fetchMs, sttMs, llmFirstTokenMs, llmMs, ttsMs, ttsAudioMs).
 */
export const STREAM_TURN_SPANS = [
  'endOfSpeech→sttFinal',
  'sttFinal→llmFirstToken',
  'llmFirstToken→ttsFirstAudio',
  'ttsFirstAudio→mediaTx',
  'endOfSpeech→firstAudio',
  'TTS_LEN_ms',
] as const;
export type StreamTurnSpan = (typeof STREAM_TURN_SPANS)[number];

/** Span name → milliseconds (null: the stage did not happen), exactly as on the TURN line. */
export type TurnSpans = Record<string, number | null>;

/** The span the overview's latency percentiles are computed from (streamed turns only). */
export const LATENCY_SPAN: StreamTurnSpan = 'endOfSpeech→firstAudio';

/** One turn of a call. */
export interface TurnRecord {
  /** 1-based turn number within its mode (the TURN / RECORD_TURN line's `turn`). */
  turn: number;
  mode: CallMode;
  /** When the turn finished. */
  at: number;
  /** What the caller said (null when transcripts are off or nothing was heard). */
  callerText: string | null;
  /** What the agent said as heard: cut at barge-in when interrupted (null when transcripts are off or nothing was said). */
  agentText: string | null;
  /** The caller cut the agent's reply short (barge-in). */
  interrupted: boolean;
  /** The turn failed (the apology was played instead of an answer). */
  failed?: boolean;
  spans: TurnSpans;
}

export const CALL_EVENT_KINDS = ['barge-in', 'dtmf', 'provider-error', 'fallback', 'mode', 'reconnect', 'error'] as const;
export type CallEventKind = (typeof CALL_EVENT_KINDS)[number];

/** One entry of a call's event timeline. */
export interface CallEventRecord {
  at: number;
  kind: CallEventKind;
  /** A catalogue error code (provider errors, errors, fallbacks). */
  code?: string;
  /** One short line: the provider, the digits pressed, the new mode, a cause. */
  detail?: string;
}

/** A call with everything recorded about it, for its page. */
export interface CallDetail extends CallRecord {
  /** In order of `at`. */
  turns: TurnRecord[];
  /** In order of `at` (mode changes appear here too, as kind 'mode'). */
  events: CallEventRecord[];
}

/** What starts (or completes) a call's row; both webhooks (incoming_call) and the media worker (stream start) may send it. */
export interface StartCallInput {
  callSid: string;
  /** Default 'phone'; 'browser' always wins once given. */
  direction?: CallDirection;
  /** Raw number: the store masks it when masking is on. */
  from?: string | null;
  to?: string | null;
  /** Default now. */
  startedAt?: number;
  /** When given, appended to the mode timeline unless it is already the current mode. */
  mode?: CallMode;
  providers?: Partial<CallProviders>;
}

export interface EndCallInput {
  endedBy: CallEndedBy;
  /** Default now. */
  at?: number;
  code?: string;
}

/** Search for listCalls; every filter is optional and they combine with AND. Newest first. */
export interface CallQuery {
  /** startedAt >= from. */
  from?: number;
  /** startedAt < to. */
  to?: number;
  /** Digits the caller's (or called) number ends with, e.g. '4567'; non-digits are ignored. */
  numberSuffix?: string;
  endedBy?: CallEndedBy;
  direction?: CallDirection;
  /** true: only calls that fell back; false: only calls that did not. */
  fallback?: boolean;
  /** true: only calls with errors; false: only calls without. */
  errors?: boolean;
  /** Page size, default 50, at most 200. */
  limit?: number;
  /** The previous page's nextCursor (opaque). */
  cursor?: string;
}

export interface CallPage {
  calls: CallRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** One time bucket of the overview charts. */
export interface OverviewBucket {
  /** Bucket start (epoch ms, a multiple of bucketMs). */
  at: number;
  /** Calls started in the bucket. */
  calls: number;
  /** Turns finished in the bucket. */
  turns: number;
  /** Percentiles of LATENCY_SPAN over the bucket's streamed turns; null when there were none. */
  latencyP50: number | null;
  latencyP95: number | null;
  /** 'fallback' events in the bucket. */
  fallbacks: number;
  /** 'provider-error' events in the bucket. */
  providerErrors: number;
  /** 'error' events in the bucket. */
  errors: number;
}

export const HOUR_MS = 3_600_000;

/** One records interface, two drivers (SQLite under DATA_DIR, Postgres with DATABASE_URL). Every method is safe to call concurrently. */
export interface RecordsStore {
  readonly driver: 'sqlite' | 'postgres';
  /** Where the records are, without credentials (a file path, or postgres://host:port/db). */
  readonly location: string;
  /** Applies the versioned migrations not yet applied (idempotent; openRecordsStore already ran it). */
  migrate(): Promise<void>;
  startCall(input: StartCallInput): Promise<void>;
  addTurn(callSid: string, turn: TurnRecord): Promise<void>;
  addEvent(callSid: string, event: CallEventRecord): Promise<void>;
  /** Appends to the mode timeline (unless it is already the current mode) and adds a 'mode' event. */
  addMode(callSid: string, change: ModeChange): Promise<void>;
  /** Records how the call ended; a later report replaces an earlier one, except that 'unknown' never replaces a known ending. */
  endCall(callSid: string, end: EndCallInput): Promise<void>;
  /** Undefined when there is no such call (never recorded, erased or purged). */
  getCall(callSid: string): Promise<CallDetail | undefined>;
  listCalls(query?: CallQuery): Promise<CallPage>;
  /** Buckets covering [from, to), every bucket present (zeros where nothing happened). */
  overview(from: number, to: number, bucketMs?: number): Promise<OverviewBucket[]>;
  /** Deletes one call's record (turns and events too); false when there was none. */
  erase(callSid: string): Promise<boolean>;
  /** Deletes every call started before `olderThan` (epoch ms); returns how many calls were deleted. */
  purge(olderThan: number): Promise<number>;
  close(): Promise<void>;
}

/** What openRecordsStore reads; the loaded Config satisfies it as is. */
export interface RecordsStoreConfig {
  /** SQLite file: DATA_DIR/records.sqlite (created on first open). */
  dataDir: string;
  /** postgres://… : use Postgres instead of SQLite. */
  databaseUrl?: string | undefined;
  /** RECORDS_TRANSCRIPTS (default true). */
  recordsTranscripts?: boolean;
  /** RECORDS_MASK_NUMBERS (default true). */
  recordsMaskNumbers?: boolean;
  /** Secrets scrubbed from any text before it is stored (the loaded Config's own secrets are picked up by name). */
  twilioAuthToken?: string | undefined;
  callTokenSecret?: string | undefined;
  openaiApiKey?: string | undefined;
  azureSpeechKey?: string | undefined;
  consolePassword?: string | undefined;
  /** Extra strings that must never be stored. */
  secrets?: readonly string[];
}
