// The timeline's event names (the `event` field of each log line), as listed in the design.

export const EVENTS = {
  WS_START: 'WS_START',
  WS_STOP: 'WS_STOP',
  WS_REJECT: 'WS_REJECT',
  STT_PARTIAL: 'STT_PARTIAL',
  STT_FINAL: 'STT_FINAL',
  LLM_FIRST_TOKEN: 'LLM_FIRST_TOKEN',
  TTS_LEN_MS: 'TTS_LEN_ms',
  MEDIA_TX: 'MEDIA_TX',
  MARK: 'MARK',
  PING: 'PING',
  PONG: 'PONG',
  BARGE_IN: 'BARGE_IN',
  FALLBACK_RECORD: 'FALLBACK_RECORD',
  TURN: 'TURN',
  DTMF: 'DTMF',
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  PROXY_ERROR: 'PROXY_ERROR',
  /** The router refused a client's request (bad target, body too large or too slow): warn, with a ROUTER_ERR_* code. */
  ROUTER_REJECT: 'ROUTER_REJECT',
  STREAM_STATUS: 'STREAM_STATUS',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  READY: 'READY',
  CONSOLE: 'CONSOLE',
  CONFIG_INVALID: 'CONFIG_INVALID',
  SHUTDOWN: 'SHUTDOWN',
  // every service (runService): a thrown error nobody caught (fatal, exit for pm2) and a stray rejection (error)
  UNCAUGHT_EXCEPTION: 'UNCAUGHT_EXCEPTION',
  UNHANDLED_REJECTION: 'UNHANDLED_REJECTION',
  // media worker: socket errors, Twilio's stop, a failed session (our fault), shutdown drain, phrases warmed up
  WS_ERROR: 'WS_ERROR',
  STREAM_STOP: 'STREAM_STOP',
  SESSION_ERROR: 'SESSION_ERROR',
  DRAIN: 'DRAIN',
  PHRASES_READY: 'PHRASES_READY',
  // webhooks: calls, outcomes, rejections (client mistakes, warn) and our own faults (error)
  INCOMING_CALL: 'INCOMING_CALL',
  STREAM_OUTCOME: 'STREAM_OUTCOME',
  STREAM_ENDED: 'STREAM_ENDED',
  WEBHOOK_REJECT: 'WEBHOOK_REJECT',
  WEBHOOK_ERROR: 'WEBHOOK_ERROR',
  OUTCOME_NOTIFY: 'OUTCOME_NOTIFY',
  /** The console issued a one-time softphone token to a session (a browser call is about to start). */
  SOFTPHONE_TOKEN: 'SOFTPHONE_TOKEN',
  /** The media worker's call feed to webhooks (records and live calls): drops, retries, refusals; webhooks' writes of it. */
  CALL_FEED: 'CALL_FEED',
  /** Webhooks' call records store: opened (driver, location), unavailable, retention purges. */
  RECORDS: 'RECORDS',
  // the voice agent and RECORD mode (one turn policy)
  TOOL_CALL: 'TOOL_CALL',
  EMPTY_REPLY: 'EMPTY_REPLY',
  AGENT_END: 'AGENT_END',
  TURN_ERROR: 'TURN_ERROR',
  PHRASE_CACHE: 'PHRASE_CACHE',
  VAD: 'VAD',
  PROVIDERS: 'PROVIDERS',
  RECORD_TURN: 'RECORD_TURN',
  RECORD_ERROR: 'RECORD_ERROR',
  RECORD_HOLD: 'RECORD_HOLD',
  RECORD_HANGUP: 'RECORD_HANGUP',
  RECORD_SILENCE: 'RECORD_SILENCE',
  RECORD_PHRASE: 'RECORD_PHRASE',
  RECORD_PHRASES_READY: 'RECORD_PHRASES_READY',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];
