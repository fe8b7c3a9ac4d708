// Tests every state × input of the stream state table against a live MediaStreamProtocol.
import t from 'tap';
import {
  MediaStreamProtocol,
  PROTOCOL_INPUTS,
  STREAM_STATES,
  TRANSITIONS,
  nextState,
  type ProtocolInput,
  type StreamState,
} from '../src/index';
import { TWILIO_FRAMES } from './fixtures/messages';

function protocolIn(state: StreamState): MediaStreamProtocol {
  const p = new MediaStreamProtocol();
  const path: Record<StreamState, string[]> = {
    'awaiting-connected': [],
    'awaiting-start': [TWILIO_FRAMES.connected],
    streaming: [TWILIO_FRAMES.connected, TWILIO_FRAMES.start],
    stopped: [TWILIO_FRAMES.connected, TWILIO_FRAMES.start, TWILIO_FRAMES.stop],
  };
  for (const text of path[state]) p.receive(text);
  if (p.state !== state) throw new Error(`could not reach ${state}`);
  return p;
}

/** Applies one input; returns true when it was accepted. */
function apply(p: MediaStreamProtocol, input: ProtocolInput): boolean {
  switch (input) {
    case 'send-media':
      p.send({ type: 'media', payload: new Uint8Array(160) });
      return true;
    case 'send-mark':
      p.send({ type: 'mark', name: 'm' });
      return true;
    case 'send-clear':
      p.send({ type: 'clear' });
      return true;
    case 'start-timeout':
      return p.startTimeout() !== undefined;
    default:
      p.receive(TWILIO_FRAMES[input]);
      return true;
  }
}

t.test('the table has a row for every state', async (t) => {
  t.same(Object.keys(TRANSITIONS).sort(), [...STREAM_STATES].sort());
});

t.test('the table allows exactly these inputs, written out independently', async (t) => {
  const allowed = Object.fromEntries(STREAM_STATES.map((s) => [s, PROTOCOL_INPUTS.filter((i) => nextState(s, i) !== undefined)]));
  t.same(allowed, {
    'awaiting-connected': ['connected', 'start', 'start-timeout'],
    'awaiting-start': ['start', 'start-timeout'],
    streaming: ['media', 'dtmf', 'mark', 'stop', 'send-media', 'send-mark', 'send-clear'],
    stopped: [],
  });
  t.equal(nextState('streaming', 'stop'), 'stopped');
  t.equal(nextState('awaiting-start', 'start-timeout'), 'stopped');
});

t.test('start is accepted without a prior connected', async (t) => {
  t.equal(nextState('awaiting-connected', 'start'), 'streaming');
});

t.test('nothing is accepted once stopped', async (t) => {
  t.same(TRANSITIONS.stopped, {});
});

for (const state of STREAM_STATES) {
  for (const input of PROTOCOL_INPUTS) {
    const expected = nextState(state, input);
    const sentence =
      expected === undefined
        ? `${input} in ${state} is refused and the state stays ${state}`
        : `${input} in ${state} moves to ${expected}`;
    t.test(sentence, async (t) => {
      const p = protocolIn(state);
      if (input === 'start-timeout') {
        t.equal(apply(p, input), expected !== undefined, 'a timeout error is returned only before start');
        t.equal(p.state, expected ?? state);
        return;
      }
      if (expected === undefined) {
        t.throws(() => apply(p, input), { code: 'TMS_ERR_UNEXPECTED_EVENT', closeCode: 1008 });
        t.equal(p.state, state);
      } else {
        t.ok(apply(p, input));
        t.equal(p.state, expected);
      }
    });
  }
}
