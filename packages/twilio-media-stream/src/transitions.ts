// The one table of the server-side stream state machine: state × input → next state.

export type StreamState = 'awaiting-connected' | 'awaiting-start' | 'streaming' | 'stopped';

export const STREAM_STATES: readonly StreamState[] = ['awaiting-connected', 'awaiting-start', 'streaming', 'stopped'];

/** Inputs: the six Twilio events, the three server commands, and the local start deadline. */
export type ProtocolInput =
  | 'connected'
  | 'start'
  | 'media'
  | 'dtmf'
  | 'mark'
  | 'stop'
  | 'send-media'
  | 'send-mark'
  | 'send-clear'
  | 'start-timeout';

export const PROTOCOL_INPUTS: readonly ProtocolInput[] = [
  'connected',
  'start',
  'media',
  'dtmf',
  'mark',
  'stop',
  'send-media',
  'send-mark',
  'send-clear',
  'start-timeout',
];

/**
 * A missing entry means the input is not allowed in that state: a Twilio event or server command then
 * raises TMS_ERR_UNEXPECTED_EVENT, and a start deadline has nothing left to do (start already came).
 * `start` is accepted without a prior `connected`, leniently. Errors never change the state.
 */
export const TRANSITIONS: Readonly<Record<StreamState, Readonly<Partial<Record<ProtocolInput, StreamState>>>>> = {
  'awaiting-connected': {
    connected: 'awaiting-start',
    start: 'streaming',
    'start-timeout': 'stopped',
  },
  'awaiting-start': {
    start: 'streaming',
    'start-timeout': 'stopped',
  },
  streaming: {
    media: 'streaming',
    dtmf: 'streaming',
    mark: 'streaming',
    stop: 'stopped',
    'send-media': 'streaming',
    'send-mark': 'streaming',
    'send-clear': 'streaming',
  },
  stopped: {},
};

/** The next state, or undefined when the input is not allowed in `state`. */
export function nextState(state: StreamState, input: ProtocolInput): StreamState | undefined {
  return TRANSITIONS[state][input];
}
