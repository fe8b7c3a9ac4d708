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
} as const;

/** The header that carries internalSignature(secret, body) on every internal message. */
export const INTERNAL_SIGNATURE_HEADER = 'x-internal-signature';
