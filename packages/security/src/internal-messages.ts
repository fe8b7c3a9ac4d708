// The messages the media worker sends webhooks over loopback (signed with internalSignature), and the actions behind them.

export interface ConversationTurn {
  role: 'user' | 'assistant';
  /** What was said; for an interrupted assistant turn, only the part the caller heard. */
  content: string;
  /** The caller cut this assistant turn short (barge-in): `content` is the heard part, not the whole reply. */
  interrupted?: boolean;
}

/** What the agent asks of the call when it ends it on purpose: hang up, or hand the caller to a person. */
export type CallAction = { kind: 'hangup' } | TransferAction;

/** `to` is an E.164 number from TRANSFER_NUMBER, never from the model or the caller. */
export interface TransferAction {
  kind: 'transfer';
  to: string;
}

/** Why a stream ended; protocol and refusal reasons carry their error code in `StreamOutcome.code`. */
export const STREAM_ENDINGS = [
  'agent-end', // the agent hung up (end_call)
  'transfer', // the agent transferred the caller (see StreamOutcome.transfer)
  'peer', // Twilio (or the client) closed the stream
  'server-shutdown', // the media worker drained for a restart
  'pong-timeout', // the peer stopped answering pings
  'session-error', // our own fault in the session
  'protocol-error', // the peer broke the Media Streams protocol (code: TMS_ERR_*)
  'start-refused', // `start` was refused (code: bad token, too many calls, …)
  'twilio-stream-error', // Twilio's status callback reported stream-error (no account from the media worker)
  'twilio-stream-stopped', // Twilio's status callback reported stream-stopped (no account from the media worker)
] as const;

export type StreamEndedBy = (typeof STREAM_ENDINGS)[number];

export function isStreamEndedBy(value: unknown): value is StreamEndedBy {
  return typeof value === 'string' && (STREAM_ENDINGS as readonly string[]).includes(value);
}

/** How one stream ended, so the <Connect action> can hang up, dial, or continue in RECORD mode. */
export interface StreamOutcome {
  callSid: string;
  streamSid: string;
  endedBy: StreamEndedBy;
  /** The error code behind 'protocol-error', 'start-refused' or 'session-error'. */
  code?: string;
  closeCode: number;
  /** Present exactly when endedBy is 'transfer'. */
  transfer?: TransferAction;
  /** The conversation so far (what was said and what the caller heard). */
  history?: ConversationTurn[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isTurn(v: unknown): v is ConversationTurn {
  return isObject(v) && (v['role'] === 'user' || v['role'] === 'assistant') && typeof v['content'] === 'string' && (v['interrupted'] === undefined || typeof v['interrupted'] === 'boolean');
}

/** A parsed JSON body as a StreamOutcome, or undefined when any field has the wrong shape (the receiver answers 400). */
export function parseStreamOutcome(value: unknown): StreamOutcome | undefined {
  if (!isObject(value)) return undefined;
  const { callSid, streamSid, endedBy, code, closeCode, transfer, history } = value;
  if (typeof callSid !== 'string' || typeof streamSid !== 'string' || !isStreamEndedBy(endedBy) || typeof closeCode !== 'number') return undefined;
  if (code !== undefined && typeof code !== 'string') return undefined;
  if (transfer !== undefined && !(isObject(transfer) && transfer['kind'] === 'transfer' && typeof transfer['to'] === 'string')) return undefined;
  if ((endedBy === 'transfer') !== (transfer !== undefined)) return undefined;
  if (history !== undefined && !(Array.isArray(history) && history.every(isTurn))) return undefined;
  return value as unknown as StreamOutcome;
}

/** The conversation so far, sent after each turn so that even a killed worker's call resumes in RECORD mode with it. */
export interface ConversationNotice {
  callSid: string;
  history: ConversationTurn[];
}

/** A parsed JSON body as a ConversationNotice, or undefined when any field has the wrong shape (the receiver answers 400). */
export function parseConversationNotice(value: unknown): ConversationNotice | undefined {
  if (!isObject(value)) return undefined;
  const { callSid, history } = value;
  if (typeof callSid !== 'string' || !(Array.isArray(history) && history.every(isTurn))) return undefined;
  return { callSid, history: history as ConversationTurn[] };
}

/** Where Twilio (and the simulator) open the media stream: the router sends /ws/* to the media worker, which serves this path only. */
export const STREAM_PATH = '/ws/twilio-media';

/** Webhooks' internal listener (127.0.0.1:INTERNAL_PORT, its own socket; the router never proxies to it). */
export const INTERNAL_PATHS = {
  streamOutcome: '/internal/stream-outcome',
  conversation: '/internal/conversation',
  callFeed: '/internal/call-feed',
} as const;

/** The header that carries internalSignature(secret, body) on every internal message. */
export const INTERNAL_SIGNATURE_HEADER = 'x-internal-signature';

// ---- The call feed: what the media worker tells webhooks about each call, for the records and the live console. ----
// Sent in batches (CallFeedBatch) to INTERNAL_PATHS.callFeed, off the audio path; `at` is epoch milliseconds.

/** Who placed the call: a phone through Twilio, or the console's softphone. */
export type CallDirection = 'phone' | 'browser';
/** What the agent is doing right now, as shown on the live page. */
export type LiveState = 'listening' | 'thinking' | 'speaking';
/** The events a call's timeline shows (besides turns and state changes). */
export const CALL_EVENT_KINDS = ['barge-in', 'dtmf', 'provider-error', 'fallback', 'reconnect', 'error'] as const;
export type CallEventKind = (typeof CALL_EVENT_KINDS)[number];

/** The providers a call used, by their configured names (never keys or URLs with credentials). */
export interface CallProviders {
  stt: string;
  llm: string;
  tts: string;
}

/** The stream started (after `start` was accepted). */
export interface CallStartNotice {
  kind: 'call-start';
  callSid: string;
  streamSid: string;
  at: number;
  direction: CallDirection;
  providers: CallProviders;
}

/**
 * One finished turn: what the caller said, what the agent said as heard (cut at barge-in), and the TURN line's spans.
 * Sent when the reply has been generated; sent again (same turn) when a barge-in then cuts its playback short —
 * the later notice replaces the earlier one.
 */
export interface CallTurnNotice {
  kind: 'turn';
  callSid: string;
  at: number;
  /** 1-based, per stream, as in the TURN log line. */
  turn: number;
  callerText: string;
  agentText: string;
  interrupted: boolean;
  /** The turn failed (the caller heard the apology instead of an answer). */
  failed?: boolean;
  /** The TURN line's spans in ms ('endOfSpeech→sttFinal', …, 'TTS_LEN_ms'); a span that did not happen is absent. */
  spans: Record<string, number>;
}

/** Something that happened on the call: a barge-in, a DTMF digit (detail), a provider error (code), … */
export interface CallEventNotice {
  kind: 'event';
  callSid: string;
  at: number;
  event: CallEventKind;
  code?: string;
  detail?: string;
}

export interface CallStateNotice {
  kind: 'state';
  callSid: string;
  at: number;
  state: LiveState;
}

/** The stream ended (the same endedBy as the StreamOutcome, which still goes separately to stream-outcome). */
export interface CallEndNotice {
  kind: 'call-end';
  callSid: string;
  at: number;
  endedBy: StreamEndedBy;
  code?: string;
}

export type CallNotice = CallStartNotice | CallTurnNotice | CallEventNotice | CallStateNotice | CallEndNotice;

/** One POST to INTERNAL_PATHS.callFeed. `dropped`: notices the sender's bounded queue discarded since the last batch. */
export interface CallFeedBatch {
  notices: CallNotice[];
  dropped: number;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optStr = (v: unknown): boolean => v === undefined || isStr(v);

function isSpans(v: unknown): v is Record<string, number> {
  return isObject(v) && Object.values(v).every(isNum);
}

function isCallNotice(v: unknown): v is CallNotice {
  if (!isObject(v) || !isStr(v['callSid']) || !isNum(v['at'])) return false;
  switch (v['kind']) {
    case 'call-start': {
      const p = v['providers'];
      return isStr(v['streamSid']) && (v['direction'] === 'phone' || v['direction'] === 'browser') && isObject(p) && isStr(p['stt']) && isStr(p['llm']) && isStr(p['tts']);
    }
    case 'turn':
      return isNum(v['turn']) && isStr(v['callerText']) && isStr(v['agentText']) && typeof v['interrupted'] === 'boolean' && (v['failed'] === undefined || typeof v['failed'] === 'boolean') && isSpans(v['spans']);
    case 'event':
      return (CALL_EVENT_KINDS as readonly unknown[]).includes(v['event']) && optStr(v['code']) && optStr(v['detail']);
    case 'state':
      return v['state'] === 'listening' || v['state'] === 'thinking' || v['state'] === 'speaking';
    case 'call-end':
      return isStreamEndedBy(v['endedBy']) && optStr(v['code']);
    default:
      return false;
  }
}

/** A parsed JSON body as a CallFeedBatch, or undefined when any notice has the wrong shape (the receiver answers 400). */
export function parseCallFeedBatch(value: unknown): CallFeedBatch | undefined {
  if (!isObject(value) || !Array.isArray(value['notices']) || !isNum(value['dropped'])) return undefined;
  if (!value['notices'].every(isCallNotice)) return undefined;
  return { notices: value['notices'] as CallNotice[], dropped: value['dropped'] };
}
