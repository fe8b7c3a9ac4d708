// Property-based fuzz of the protocol package: bad input only ever raises a catalogued ProtocolError, the state table holds, valid frames round-trip.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import {
  MediaStreamProtocol,
  PROTOCOL_ERRORS,
  ProtocolError,
  STREAM_STATES,
  parseServerMessage,
  parseTwilioMessage,
  serverMessage,
  twilioMessage,
  type SendCommand,
  type StreamEvent,
} from '../src/index';
import { ALLOWED_CLOSE_CODES, anyJson, anyText, applyMutations, arbitraries, mutations, weirdString, type Json } from '../../../test-support/fuzz/arbitraries';
import { MODEL_STATES, SERVER_SHAPES, TWILIO_SHAPES, judge, modelNext, projectionProblem, type ModelState } from '../../../test-support/fuzz/oracle';

const { validFrame, validServerFrame } = arbitraries({ twilioMessage, serverMessage });
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
let totalRuns = 0;
/** The expected messages of the round trip, as the arbitraries build them. */
interface ExpectedStart {
  sequenceNumber: string;
  streamSid: string;
  start: { callSid: string; accountSid: string; tracks: string[]; mediaFormat: { encoding: string; sampleRate: number; channels: number }; customParameters: Record<string, string> };
}
interface ExpectedFrame {
  sequenceNumber: string;
  media?: { track: string; chunk: string; timestamp: string };
  dtmf?: { track: string; digit: string };
  mark?: { name: string };
  stop?: { accountSid: string; callSid: string };
}
const validConnected = { event: 'connected' as const, text: twilioMessage.connected(), expected: { event: 'connected', protocol: 'Call', version: '1.0.0' } as Json };

/** Throws unless `err` is a ProtocolError from the catalogue with an allowed close code; returns it. */
function asProtocolError(err: unknown): ProtocolError {
  if (!(err instanceof ProtocolError)) {
    throw new Error(`threw a non-ProtocolError: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`);
  }
  if (!Object.prototype.hasOwnProperty.call(PROTOCOL_ERRORS, err.code)) throw new Error(`unknown code ${String(err.code)}`);
  if (!(ALLOWED_CLOSE_CODES as readonly number[]).includes(err.closeCode)) throw new Error(`${err.code}: close code ${err.closeCode} not allowed`);
  if (err.closeCode !== PROTOCOL_ERRORS[err.code].closeCode) throw new Error(`${err.code}: close code ${err.closeCode} != catalogue ${PROTOCOL_ERRORS[err.code].closeCode}`);
  if (!(err instanceof Error) || typeof err.message !== 'string' || err.message === '') throw new Error(`${err.code}: no message`);
  return err;
}

/**
 * Runs `parse` on `text` and checks it against the oracle: a message exactly when the docs say the frame is valid
 * (with fields in = fields out, nothing else), otherwise a catalogued ProtocolError of the predicted kind.
 */
function checkParse(text: string, kind: 'twilio' | 'server', expectedSid?: string): void {
  const shapes = kind === 'twilio' ? TWILIO_SHAPES : SERVER_SHAPES;
  const verdict = judge(text, shapes, kind === 'server');
  let out: unknown;
  try {
    out = kind === 'twilio' ? parseTwilioMessage(text) : parseServerMessage(text, expectedSid);
  } catch (err) {
    const e = asProtocolError(err);
    if (verdict.ok) {
      if (kind === 'server' && expectedSid !== undefined && verdict.input['streamSid'] !== expectedSid && e.code === 'TMS_ERR_STREAM_SID_MISMATCH') return;
      throw new Error(`valid frame rejected with ${e.code} (${e.message}): ${JSON.stringify(text).slice(0, 500)}`);
    }
    if (!verdict.codes.includes(e.code)) throw new Error(`got ${e.code} (${e.message}), expected one of ${verdict.codes.join('|')}: ${JSON.stringify(text).slice(0, 500)}`);
    return;
  }
  if (!verdict.ok) throw new Error(`invalid frame accepted (expected ${verdict.codes.join('|')}): ${JSON.stringify(text).slice(0, 500)}`);
  if (kind === 'server' && expectedSid !== undefined && verdict.input['streamSid'] !== expectedSid) throw new Error(`wrong streamSid accepted: ${JSON.stringify(text).slice(0, 300)}`);
  const problem = projectionProblem(out, verdict.input, shapes[verdict.event] as Parameters<typeof projectionProblem>[2]);
  if (problem) throw new Error(`${problem}: ${JSON.stringify(text).slice(0, 500)}`);
  // The output is itself a valid frame that parses to the same message.
  const again = kind === 'twilio' ? parseTwilioMessage(JSON.stringify(out)) : parseServerMessage(JSON.stringify(out));
  if (!isDeepStrictEqual(again, out)) throw new Error('re-parsing the output changed it');
}

function run<T>(t: Test, name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void, numRuns: number): void {
  const details = fc.check(fc.property(arb, predicate), { numRuns, seed: SEED, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true });
  totalRuns += details.numRuns;
  t.notOk(details.failed, details.failed ? `${name}\n${fc.defaultReportMessage(details)}` : name);
  t.equal(details.numRuns, numRuns, `${name}: ${numRuns} runs`);
}

const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
t.comment(`fast-check seed ${SEED} (rerun with FUZZ_SEED=${SEED})`);

t.test('parseTwilioMessage on arbitrary strings', async (t) => {
  run(t, 'arbitrary strings', anyText, (text) => checkParse(text, 'twilio'), 2000);
});

t.test('parseTwilioMessage on arbitrary JSON values', async (t) => {
  run(t, 'arbitrary JSON', anyJson, (v) => checkParse(JSON.stringify(v), 'twilio'), 2000);
});

t.test('parseTwilioMessage on mutated valid messages', async (t) => {
  let accepted = 0;
  let rejected = 0;
  run(
    t,
    'mutated valid messages',
    fc.record({ frame: validFrame(), m: mutations }),
    ({ frame, m }) => {
      const text = applyMutations(frame.text, m);
      checkParse(text, 'twilio');
      if (judge(text, TWILIO_SHAPES, false).ok) accepted++;
      else rejected++;
    },
    3000,
  );
  t.comment(`mutated frames: ${accepted} still valid, ${rejected} rejected`);
  t.ok(accepted > 100 && rejected > 1000, 'the mutations reach both outcomes');
});

t.test('parseServerMessage on arbitrary text, JSON and mutated server messages', async (t) => {
  const input = fc.oneof(
    anyText.map((text) => ({ text, sid: undefined as string | undefined })),
    anyJson.map((v) => ({ text: JSON.stringify(v), sid: undefined as string | undefined })),
    fc.record({ f: validServerFrame(), m: mutations, useSid: fc.boolean(), other: weirdString() }).map(({ f, m, useSid, other }) => ({
      text: applyMutations(f.text, m),
      sid: useSid ? f.streamSid : (other as string | undefined),
    })),
  );
  run(t, 'server messages', input, ({ text, sid }) => checkParse(text, 'server', sid), 1500);
});

type Step =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; n: number }
  | { kind: 'send'; cmd: SendCommand }
  | { kind: 'timeout' };

const SID_POOL = fc.constantFrom('MZ1', 'MZ1', 'MZ2', 'MZשלום\ud800');
// Weighted towards media (and away from stop) so that sequences spend time streaming.
const poolFrame = validFrame({
  sid: SID_POOL,
  payload: fc.uint8Array({ maxLength: 400 }),
  events: ['connected', 'start', 'start', 'media', 'media', 'media', 'media', 'media', 'media', 'dtmf', 'mark', 'mark', 'stop'],
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: poolFrame.map((f) => ({ kind: 'text' as const, text: f.text })) },
  { weight: 4, arbitrary: fc.record({ f: poolFrame, m: mutations }).map(({ f, m }) => ({ kind: 'text' as const, text: applyMutations(f.text, m) })) },
  { weight: 1, arbitrary: anyText.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: fc.nat({ max: 1 << 20 }).map((n) => ({ kind: 'binary' as const, n })) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.uint8Array({ maxLength: 1000 }).map((payload) => ({ kind: 'send' as const, cmd: { type: 'media' as const, payload } })),
      weirdString(30).map((name) => ({ kind: 'send' as const, cmd: { type: 'mark' as const, name } })),
      fc.constant({ kind: 'send' as const, cmd: { type: 'clear' as const } }),
    ),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'timeout' as const }) },
);

t.test('MediaStreamProtocol fed any sequence follows the documented state table and only raises ProtocolError', async (t) => {
  let reachedStopped = 0;
  let reachedStreaming = 0;
  let mediaAccepted = 0;
  run(
    t,
    'protocol sequences',
    fc.record({ steps: fc.array(step, { minLength: 1, maxLength: 30, size: 'max' }), maxFrameBytes: fc.option(fc.integer({ min: 64, max: 4096 }), { nil: undefined, freq: 4 }) }),
    ({ steps, maxFrameBytes }) => {
      const p = new MediaStreamProtocol(maxFrameBytes === undefined ? {} : { maxFrameBytes });
      const limit = maxFrameBytes ?? 64 * 1024;
      let model: ModelState = 'awaiting-connected';
      let sid: string | undefined;
      let mediaBytes = 0;
      let frames = 0;
      for (const s of steps) {
        const before = p.state;
        if (before !== model) throw new Error(`state ${before}, model says ${model}`);
        if (s.kind === 'timeout') {
          const err = p.startTimeout();
          const next = modelNext(model, 'start-timeout');
          if (next === undefined) {
            if (err !== undefined) throw new Error(`startTimeout in ${model} returned an error`);
          } else if (asProtocolError(err).code !== 'TMS_ERR_START_TIMEOUT') throw new Error('startTimeout gave the wrong code');
          model = next ?? model;
          continue;
        }
        if (s.kind === 'binary') {
          try {
            p.receiveBinary(s.n);
            throw new Error('binary frame accepted');
          } catch (err) {
            if (asProtocolError(err).code !== 'TMS_ERR_BINARY_FRAME' || err instanceof Error === false) throw err;
          }
          if (p.state !== model) throw new Error('a binary frame changed the state');
          continue;
        }
        if (s.kind === 'send') {
          const next = modelNext(model, `send-${s.cmd.type}`);
          let text: string;
          try {
            text = p.send(s.cmd);
          } catch (err) {
            if (asProtocolError(err).code !== 'TMS_ERR_UNEXPECTED_EVENT' || next !== undefined) throw new Error(`send ${s.cmd.type} in ${model} threw ${String(err)}`);
            if (p.state !== model) throw new Error('a refused send changed the state');
            continue;
          }
          if (next === undefined) throw new Error(`send ${s.cmd.type} allowed in ${model}`);
          const msg = parseServerMessage(text, sid);
          if (msg.event !== s.cmd.type) throw new Error('send produced another event');
          if (s.cmd.type === 'media' && msg.event === 'media' && !Buffer.from(msg.media.payload, 'base64').equals(Buffer.from(s.cmd.payload))) throw new Error('send media changed the payload');
          if (s.cmd.type === 'mark' && msg.event === 'mark' && msg.mark.name !== s.cmd.name) throw new Error('send mark changed the name');
          model = next;
          continue;
        }
        // A text frame: predict the outcome from the docs, then compare.
        const verdict = judge(s.text, TWILIO_SHAPES, false);
        const allowed: string[] = [];
        let next: ModelState | undefined;
        if (Buffer.byteLength(s.text) > limit) allowed.push('TMS_ERR_FRAME_TOO_LARGE');
        else if (!verdict.ok) allowed.push(...verdict.codes);
        else {
          const frameSid = verdict.input['streamSid'];
          next = modelNext(model, verdict.event);
          if (next === undefined) allowed.push('TMS_ERR_UNEXPECTED_EVENT');
          if (verdict.event === 'start' && (verdict.input['start'] as Record<string, unknown>)['streamSid'] !== frameSid) allowed.push('TMS_ERR_STREAM_SID_MISMATCH');
          if (verdict.event !== 'start' && verdict.event !== 'connected' && frameSid !== sid) allowed.push('TMS_ERR_STREAM_SID_MISMATCH');
        }
        let events: StreamEvent[];
        try {
          events = p.receive(s.text);
        } catch (err) {
          const e = asProtocolError(err);
          if (allowed.length === 0) throw new Error(`valid ${verdict.ok ? verdict.event : ''} in ${model} rejected: ${e.code} ${e.message}`);
          if (!allowed.includes(e.code)) throw new Error(`got ${e.code} (${e.message}), expected ${allowed.join('|')}`);
          if (p.state !== before) throw new Error(`an error moved the state ${before} → ${p.state}`);
          if (p.stats.framesReceived !== frames) throw new Error('an error counted a frame');
          continue;
        }
        if (allowed.length > 0 || !verdict.ok || next === undefined) throw new Error(`accepted, expected ${allowed.join('|')}: ${s.text.slice(0, 300)}`);
        if (events.length !== 1 || events[0]?.type !== verdict.event) throw new Error(`events ${JSON.stringify(events.map((e) => e.type))} for ${verdict.event}`);
        const ev = events[0];
        if (before === 'stopped') throw new Error('accepted a frame after stop');
        if (ev.type === 'start') sid = ev.streamSid;
        if (ev.type === 'media') {
          mediaAccepted++;
          if (before !== 'streaming') throw new Error(`media accepted in ${before}`);
          const want = Buffer.from((verdict.input['media'] as Record<string, string>)['payload'] as string, 'base64');
          if (!ev.payload.equals(want)) throw new Error('media payload changed');
          mediaBytes += want.length;
        }
        frames++;
        model = next;
        if (!(STREAM_STATES as readonly string[]).includes(p.state) || !MODEL_STATES.includes(p.state)) throw new Error(`undocumented state ${p.state}`);
      }
      if (p.state !== model) throw new Error(`final state ${p.state}, model ${model}`);
      if (p.stats.framesReceived !== frames || p.stats.mediaBytesReceived !== mediaBytes) throw new Error('counters disagree with what was accepted');
      if (model === 'streaming') reachedStreaming++;
      if (model === 'stopped') {
        reachedStopped++;
        // After stop, nothing is accepted: neither media from Twilio nor audio to send.
        const media = twilioMessage.media({ streamSid: sid ?? 'MZ1', sequenceNumber: 9, chunk: 9, timestamp: 180, payload: new Uint8Array(160) });
        for (const attempt of [() => p.receive(media), () => p.send({ type: 'media', payload: new Uint8Array(160) }), () => p.send({ type: 'mark', name: 'x' })]) {
          try {
            attempt();
            throw new Error('accepted after stop');
          } catch (err) {
            const code = asProtocolError(err).code;
            if (code !== 'TMS_ERR_UNEXPECTED_EVENT' && !(code === 'TMS_ERR_FRAME_TOO_LARGE' && Buffer.byteLength(media) > limit)) throw err;
          }
        }
        if (p.state !== 'stopped' || p.stats.mediaBytesReceived !== mediaBytes) throw new Error('stopped stream changed');
      }
    },
    1500,
  );
  t.comment(`sequences ending streaming: ${reachedStreaming}, stopped: ${reachedStopped}; media frames accepted: ${mediaAccepted}`);
  t.ok(reachedStopped > 50 && reachedStreaming > 50 && mediaAccepted > 150, 'sequences cover every state');
});

t.test('valid messages round-trip: fields in = fields out', async (t) => {
  // One whole stream: connected, start, then media/dtmf/mark on that stream, then stop; and server commands back.
  const stream = validFrame({ events: ['start'] }).chain((start) => {
    const sid = (start.expected as { streamSid: string }).streamSid;
    return fc.record({
      start: fc.constant(start),
      frames: fc.array(validFrame({ sid: fc.constant(sid), events: ['media', 'dtmf', 'mark'] }), { maxLength: 12 }),
      stop: validFrame({ sid: fc.constant(sid), events: ['stop'] }),
      sends: fc.array(
        fc.oneof(
          fc.uint8Array({ maxLength: 1600 }).map((payload): SendCommand => ({ type: 'media', payload })),
          weirdString(40).map((name): SendCommand => ({ type: 'mark', name })),
          fc.constant<SendCommand>({ type: 'clear' }),
        ),
        { maxLength: 6 },
      ),
    });
  });
  run(
    t,
    'round trip',
    stream,
    ({ start, frames, stop, sends }) => {
      const p = new MediaStreamProtocol();
      const all = [validConnected, start, ...frames, stop];
      for (const f of all) {
        if (!isDeepStrictEqual(parseTwilioMessage(f.text), f.expected)) throw new Error(`parse changed ${f.text.slice(0, 300)}`);
      }
      p.receive(validConnected.text);
      const [se] = p.receive(start.text);
      const s = start.expected as unknown as ExpectedStart;
      const wantStart = { type: 'start', sequenceNumber: Number(s.sequenceNumber), streamSid: s.streamSid, callSid: s.start.callSid, accountSid: s.start.accountSid, tracks: s.start.tracks, mediaFormat: s.start.mediaFormat, customParameters: s.start.customParameters };
      if (!isDeepStrictEqual(se, wantStart)) throw new Error(`start event ${JSON.stringify(se)}`);
      for (const f of frames) {
        const [ev] = p.receive(f.text);
        const x = f.expected as unknown as ExpectedFrame;
        const want =
          f.event === 'media' && x.media
            ? { type: 'media', sequenceNumber: Number(x.sequenceNumber), payload: Buffer.from(f.payload ?? []), timestamp: Number(x.media.timestamp), chunk: Number(x.media.chunk), track: x.media.track }
            : f.event === 'dtmf' && x.dtmf
              ? { type: 'dtmf', sequenceNumber: Number(x.sequenceNumber), digit: x.dtmf.digit, track: x.dtmf.track }
              : { type: 'mark', sequenceNumber: Number(x.sequenceNumber), name: x.mark?.name };
        if (!isDeepStrictEqual(ev, want)) throw new Error(`${f.event} event ${JSON.stringify(ev)} != ${JSON.stringify(want)}`);
      }
      for (const cmd of sends) {
        const out = parseServerMessage(p.send(cmd), s.streamSid);
        const want =
          cmd.type === 'media'
            ? { event: 'media', streamSid: s.streamSid, media: { payload: Buffer.from(cmd.payload).toString('base64') } }
            : cmd.type === 'mark'
              ? { event: 'mark', streamSid: s.streamSid, mark: { name: cmd.name } }
              : { event: 'clear', streamSid: s.streamSid };
        if (!isDeepStrictEqual(out, want)) throw new Error(`sent ${JSON.stringify(out)} != ${JSON.stringify(want)}`);
      }
      const [stopEv] = p.receive(stop.text);
      const st = stop.expected as unknown as ExpectedFrame;
      if (!isDeepStrictEqual(stopEv, { type: 'stop', sequenceNumber: Number(st.sequenceNumber), accountSid: st.stop?.accountSid, callSid: st.stop?.callSid })) throw new Error('stop event');
      if (p.state !== 'stopped') throw new Error(`state ${p.state} after stop`);
      const mediaFrames = frames.filter((f) => f.event === 'media');
      if (p.stats.mediaReceived !== mediaFrames.length || p.stats.mediaBytesReceived !== mediaFrames.reduce((n, f) => n + (f.payload?.length ?? 0), 0)) throw new Error('media counters');
    },
    1000,
  );
});

t.test('totals', async (t) => {
  t.same(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore, 'no input polluted Object.prototype');
  t.comment(`total fast-check runs: ${totalRuns}`);
  t.ok(totalRuns >= 10000, `at least 10,000 runs (${totalRuns})`);
});
