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
  STREAM_STATUS: 'STREAM_STATUS',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  READY: 'READY',
  SHUTDOWN: 'SHUTDOWN',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];
