// Fuzz cases for the live WebSocket endpoint: generated frame scripts, the close each must get (from the docs' model), and a raw TCP client.
import net from 'node:net';
import crypto from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { MediaStreamProtocol, ProtocolError, serverMessage, twilioMessage } from '@tva/twilio-media-stream';
import { judge, TWILIO_SHAPES } from './oracle';
import { anyText, applyMutations, arbitraries, byteSplice, mutations, sidArb, spliceBytes, textMutation, weirdString } from './arbitraries';

/** ws on the media worker: maxPayload (WS_MAX_PAYLOAD default). */
export const MAX_PAYLOAD = 64 * 1024;
const { validFrame } = arbitraries({ twilioMessage, serverMessage });

// ---------------------------------------------------------------- frames and scripts

/** One WebSocket message a fuzz client sends. `fragments` splits it into that many frames (cut at random bytes). */
export type Frame =
  | { kind: 'text'; data: string; fragments?: number[] }
  | { kind: 'bytes'; data: Buffer; fragments?: number[] } // a text frame holding raw (maybe invalid UTF-8) bytes
  | { kind: 'binary'; data: Buffer };

/** How a ws-client case ends after its frames: a probe frame that must be refused, an abrupt terminate, or a client close. */
export type Ending = { kind: 'probe' } | { kind: 'terminate' } | { kind: 'close'; code: number; reason: string };

export interface WsCase {
  type: 'ws';
  label: string;
  frames: Frame[];
  ending: Ending;
  /** Ping the server between fragments (control frames may interleave). */
  pingBetweenFragments: boolean;
}

/** A violation written with a raw TCP client: RFC 6455 framing errors, junk after the handshake, a frame cut short. */
export interface RawCase {
  type: 'raw';
  label: string;
  /** What goes on the wire as the upgrade request; `undefined` means a valid handshake. */
  request?: Buffer;
  /** Frames (already encoded) written after a 101. */
  after: Buffer[];
  /** Destroy the socket right after writing (a frame cut mid-way). */
  destroyAfterWrite: boolean;
  /** Close codes the server may answer with; empty: no expectation (junk request, cut frame). */
  expectCodes: number[];
  /** How many of `after` are valid frames (connected + start before the violation). */
  validFrames: number;
}

export type FuzzCase = WsCase | RawCase;

// ---------------------------------------------------------------- the oracle

export interface Expectation {
  /** 'open': every frame is valid, so only the ending closes it. */
  outcome: 'open' | 'close';
  code?: number;
  /** Allowed close reasons (the ProtocolError code the media worker sends, or '' for ws's own checks). */
  reasons?: string[];
  /** The stream's sid once a start was accepted (what the server's own frames must carry). */
  streamSid?: string;
  /** Frames the server must process before the verdict (the rest are ignored once it closes). */
  framesUntilVerdict: number;
  state: string;
}

function bytesOf(f: Frame): Buffer {
  return f.kind === 'text' ? Buffer.from(f.data, 'utf8') : f.data;
}

/** What the media worker must do with these frames, modelled with the pure protocol package and ws's documented limits. */
export function expectationFor(frames: Frame[]): Expectation {
  const p = new MediaStreamProtocol({ maxFrameBytes: MAX_PAYLOAD });
  let n = 0;
  for (const f of frames) {
    n++;
    const bytes = bytesOf(f);
    if (bytes.length > MAX_PAYLOAD) return { outcome: 'close', code: 1009, reasons: ['', 'TMS_ERR_FRAME_TOO_LARGE'], framesUntilVerdict: n, state: p.state, ...sidOf(p) };
    if (f.kind === 'binary') return { outcome: 'close', code: 1003, reasons: ['TMS_ERR_BINARY_FRAME'], framesUntilVerdict: n, state: p.state, ...sidOf(p) };
    if (!isUtf8(bytes)) return { outcome: 'close', code: 1007, reasons: [''], framesUntilVerdict: n, state: p.state, ...sidOf(p) };
    try {
      p.receive(bytes.toString('utf8'));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return { outcome: 'close', code: err.closeCode, reasons: [err.code], framesUntilVerdict: n, state: p.state, ...sidOf(p) };
    }
  }
  return { outcome: 'open', framesUntilVerdict: n, state: p.state, ...sidOf(p) };
}

/** A message ws itself refuses (too big, bad UTF-8): the media worker then ends the TCP connection right after its close frame. */
export function wsLevelViolation(f: Frame): boolean {
  const bytes = bytesOf(f);
  return bytes.length > MAX_PAYLOAD || (f.kind !== 'binary' && !isUtf8(bytes));
}

/** Frames on the wire for one message (its fragments), and whether the message is garbage on its own (no context). */
export function frameStats(f: Frame): { frames: number; garbage: boolean } {
  const bytes = bytesOf(f);
  const frames = f.kind !== 'binary' && f.fragments && bytes.length >= 2 ? new Set(f.fragments.map((c) => 1 + (c % (bytes.length - 1)))).size + 1 : 1;
  const garbage = f.kind === 'binary' || bytes.length > MAX_PAYLOAD || !isUtf8(bytes) || !judge(bytes.toString('utf8'), TWILIO_SHAPES, false).ok;
  return { frames, garbage };
}

function sidOf(p: MediaStreamProtocol): { streamSid?: string } {
  return p.streamSid === undefined ? {} : { streamSid: p.streamSid };
}

// ---------------------------------------------------------------- generators

const handshake = fc.record({ sid: sidArb('MZ'), callSid: sidArb('CA'), params: fc.dictionary(weirdString(10), weirdString(30), { maxKeys: 3, noNullPrototype: true }), connected: fc.boolean() });

/**
 * why: the media worker refuses a second live stream for one CallSid (MEDIA_ERR_CALL_ALREADY_LIVE); fuzz sockets run
 * side by side, so each gets its own CallSid (the generated one, made unique) and the model stays per socket.
 */
let callSeq = 0;
const uniqueCallSid = (callSid: string): string => `${callSid}~${(callSeq += 1)}`;

function handshakeFrames(h: { sid: string; callSid: string; params: Record<string, string>; connected: boolean }): Frame[] {
  const start = twilioMessage.start({ streamSid: h.sid, callSid: uniqueCallSid(h.callSid), accountSid: 'ACfuzz', customParameters: h.params });
  return [...(h.connected ? [{ kind: 'text' as const, data: twilioMessage.connected() }] : []), { kind: 'text' as const, data: start }];
}

/** A frame on an already-started stream: valid most of the time, sometimes mutated. */
function streamFrame(sid: string): fc.Arbitrary<Frame> {
  const valid = validFrame({ sid: fc.constant(sid), events: ['media', 'media', 'media', 'media', 'dtmf', 'mark'], payload: fc.uint8Array({ minLength: 160, maxLength: 160 }) });
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((f) => ({ kind: 'text' as const, data: f.text })) },
    { weight: 1, arbitrary: fc.record({ f: valid, m: mutations }).map(({ f, m }) => ({ kind: 'text' as const, data: applyMutations(f.text, m) })) },
  );
}

const cutPoints = (maxParts: number) => fc.array(fc.nat(), { minLength: 1, maxLength: maxParts - 1 });

const ending: fc.Arbitrary<Ending> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'probe' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'terminate' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('close' as const), code: fc.oneof(fc.constantFrom(1000, 1001), fc.integer({ min: 3000, max: 4999 })), reason: fc.string({ maxLength: 30 }).filter((r) => Buffer.byteLength(r) <= 123) }),
  },
);

function wsCase(label: string, frames: fc.Arbitrary<Frame[]>, end: fc.Arbitrary<Ending> = ending): fc.Arbitrary<WsCase> {
  return fc.record({ frames, ending: end, pingBetweenFragments: fc.boolean() }).map((c) => ({ type: 'ws' as const, label, ...c }));
}

const garbageText: fc.Arbitrary<Frame> = anyText.map((data) => ({ kind: 'text' as const, data }));
const anyMutated: fc.Arbitrary<Frame> = fc.record({ f: validFrame(), m: mutations }).map(({ f, m }) => ({ kind: 'text' as const, data: applyMutations(f.text, m) }));

/** The ws-client cases: the bulk of the frames. */
export const wsCaseArb: fc.Arbitrary<WsCase> = fc.oneof(
  // random text, no handshake (a burst: the first one closes the socket, the rest still reach ws)
  { weight: 3, arbitrary: wsCase('garbage-text', fc.array(garbageText, { minLength: 1, maxLength: 30, size: 'max' })) },
  // mutated valid messages of any kind and any sid
  { weight: 3, arbitrary: wsCase('mutated', fc.array(anyMutated, { minLength: 1, maxLength: 20, size: 'max' })) },
  // connected + start, then a long run of (mostly valid) frames with a mutated one now and then
  {
    weight: 8,
    arbitrary: handshake.chain((h) =>
      wsCase('started+mutated', fc.array(streamFrame(h.sid), { minLength: 5, maxLength: 25, size: 'max' }).map((rest) => [...handshakeFrames(h), ...rest])),
    ),
  },
  // connected + start + garbage
  {
    weight: 2,
    arbitrary: handshake.chain((h) => wsCase('started+garbage', fc.array(fc.oneof(garbageText, anyMutated), { minLength: 1, maxLength: 20, size: 'max' }).map((rest) => [...handshakeFrames(h), ...rest]))),
  },
  // binary frames
  {
    weight: 1,
    arbitrary: handshake.chain((h) =>
      wsCase('binary', fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 2000 })).map(([hs, b]) => [...(hs ? handshakeFrames(h) : []), { kind: 'binary' as const, data: Buffer.from(b) }])),
    ),
  },
  // oversized frames (> 64 KiB): text, a valid-looking media with a huge payload, binary, or fragmented
  {
    weight: 1,
    arbitrary: handshake.chain((h) =>
      wsCase(
        'oversized',
        fc
          .tuple(fc.boolean(), fc.integer({ min: MAX_PAYLOAD + 1, max: 4 * MAX_PAYLOAD }), fc.constantFrom('text', 'media', 'binary', 'fragmented'), cutPoints(6))
          .map(([hs, size, how, cuts]): Frame[] => {
            const pre = hs ? handshakeFrames(h) : [];
            if (how === 'binary') return [...pre, { kind: 'binary', data: Buffer.alloc(size, 7) }];
            if (how === 'media') return [...pre, { kind: 'text', data: twilioMessage.media({ streamSid: h.sid, sequenceNumber: 2, chunk: 1, timestamp: 0, payload: new Uint8Array(Math.ceil((size * 3) / 4)) }) }];
            return [...pre, { kind: 'text', data: 'x'.repeat(size), ...(how === 'fragmented' ? { fragments: cuts } : {}) }];
          }),
      ),
    ),
  },
  // invalid UTF-8 spliced into a valid frame, sometimes split across fragments
  {
    weight: 2,
    arbitrary: handshake.chain((h) =>
      wsCase(
        'bad-utf8',
        fc.tuple(validFrame({ sid: fc.constant(h.sid) }), byteSplice, fc.option(cutPoints(5), { nil: undefined })).map(([f, s, cuts]): Frame[] => [
          ...handshakeFrames(h),
          { kind: 'bytes', data: spliceBytes(f.text, s), ...(cuts ? { fragments: cuts } : {}) },
        ]),
      ),
    ),
  },
  // valid frames sent fragmented, cut anywhere (also inside a multi-byte character): must be accepted
  {
    weight: 2,
    arbitrary: handshake.chain((h) =>
      wsCase(
        'fragmented',
        fc
          .array(fc.tuple(streamFrame(h.sid), cutPoints(6)), { minLength: 1, maxLength: 10 })
          .map((list) => [...handshakeFrames(h), ...list.map(([f, cuts]) => (f.kind === 'text' ? { ...f, fragments: cuts } : f))]),
      ),
    ),
  },
);

// ---------------------------------------------------------------- raw frames

/** Encodes one client frame (masked unless told otherwise). `len64` forces the 64-bit length form with this value. */
export function encodeFrame(opcode: number, payload: Buffer, o: { fin?: boolean; mask?: boolean; rsv?: number; len64?: bigint } = {}): Buffer {
  const fin = o.fin ?? true;
  const mask = o.mask ?? true;
  const head: number[] = [(fin ? 0x80 : 0) | (o.rsv ?? 0) | (opcode & 0x0f)];
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (o.len64 !== undefined) {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(o.len64);
  } else if (payload.length < 126) head.push(m | payload.length);
  else if (payload.length < 65536) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(payload.length);
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(payload.length));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = crypto.randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

const text = (s: string) => encodeFrame(1, Buffer.from(s, 'utf8'));

function closePayload(code: number, reason: Buffer): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, reason]);
}

/** RFC 6455 framing violations, each with the close code ws must answer (1002 protocol error, 1007, 1009). */
const violations: Array<[string, (payload: Buffer) => Buffer[], number[]]> = [
  ['unmasked', (p) => [encodeFrame(1, p, { mask: false })], [1002]],
  ['rsv1', (p) => [encodeFrame(1, p, { rsv: 0x40 })], [1002]],
  ['rsv2+3', (p) => [encodeFrame(1, p, { rsv: 0x30 })], [1002]],
  ['reserved opcode 3', (p) => [encodeFrame(3, p)], [1002]],
  ['reserved opcode 0xb', (p) => [encodeFrame(0xb, p.subarray(0, 100))], [1002]],
  ['continuation first', (p) => [encodeFrame(0, p)], [1002]],
  ['ping > 125 bytes', (p) => [encodeFrame(9, Buffer.concat([p, Buffer.alloc(126)]))], [1002]],
  ['fragmented ping', (p) => [encodeFrame(9, p.subarray(0, 10), { fin: false })], [1002]],
  ['text inside a fragmented text', (p) => [encodeFrame(1, p, { fin: false }), encodeFrame(1, p)], [1002]],
  ['close code 999', () => [encodeFrame(8, closePayload(999, Buffer.alloc(0)))], [1002]],
  ['close code 1005', () => [encodeFrame(8, closePayload(1005, Buffer.alloc(0)))], [1002]],
  ['close code 5000', () => [encodeFrame(8, closePayload(5000, Buffer.alloc(0)))], [1002]],
  ['close 1-byte payload', () => [encodeFrame(8, Buffer.from([3]))], [1002]],
  ['close reason bad utf-8', () => [encodeFrame(8, closePayload(1000, Buffer.from([0xff, 0xfe])))], [1007]],
  ['64-bit length > 2^53', () => [encodeFrame(1, Buffer.alloc(0), { len64: 2n ** 63n })], [1009]],
  ['declared 1 MiB', () => [encodeFrame(1, Buffer.alloc(0), { len64: 1n << 20n }).subarray(0, 14)], [1009]],
];

function upgradeRequest(port: number, path = '/ws/twilio-media', extra: string[] = []): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n');
}

const weirdHeaderValue = fc.oneof(weirdString(40), fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 }));

/** Raw TCP cases; `port` is the router's. */
export function rawCaseArb(port: number): fc.Arbitrary<RawCase> {
  const valid = upgradeRequest(port);
  const prefix = fc.boolean().map((hs) => (hs ? [text(twilioMessage.connected()), text(twilioMessage.start({ streamSid: 'MZraw', callSid: uniqueCallSid('CAraw'), accountSid: 'AC' }))] : []));
  return fc.oneof(
    // framing violations after a valid handshake (optionally after connected + start)
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom(...violations), prefix, fc.uint8Array({ minLength: 1, maxLength: 60 })).map(([[name, make, codes], pre, p]) => ({
        type: 'raw' as const,
        label: `violation: ${name}`,
        after: [...pre, ...make(Buffer.from(p))],
        destroyAfterWrite: false,
        expectCodes: codes,
        validFrames: pre.length,
      })),
    },
    // a frame cut short, then the TCP connection dropped
    {
      weight: 2,
      arbitrary: fc.tuple(prefix, fc.uint8Array({ minLength: 200, maxLength: 3000 }), fc.nat()).map(([pre, p, cut]) => {
        const frame = encodeFrame(1, Buffer.from(p));
        return { type: 'raw' as const, label: 'cut frame', after: [...pre, frame.subarray(0, 1 + (cut % (frame.length - 1)))], destroyAfterWrite: true, expectCodes: [], validFrames: pre.length };
      }),
    },
    // junk instead of an HTTP request
    { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => ({ type: 'raw' as const, label: 'junk bytes', request: Buffer.from(b), after: [], destroyAfterWrite: false, expectCodes: [], validFrames: 0 })) },
    // a mutated upgrade request
    {
      weight: 3,
      arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 3 }).map((m) => ({
        type: 'raw' as const,
        label: 'mutated upgrade',
        request: Buffer.from(applyMutations(valid, { object: [], text: m }), 'latin1'),
        after: [],
        destroyAfterWrite: false,
        expectCodes: [],
        validFrames: 0,
      })),
    },
    // odd paths, methods, versions, keys, subprotocols and forwarded headers
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom('/ws/twilio-media', '/ws/other', '//ws/twilio-media', '/ws/twilio-media/../x', '/ws/twilio-media?x=%ff', '/ws/%00', '/WS/twilio-media', '*', '/ws/' + 'a'.repeat(5000)),
          fc.array(
            fc.oneof(
              weirdHeaderValue.map((v) => `X-Forwarded-For: ${v}`),
              weirdHeaderValue.map((v) => `X-Forwarded-Proto: ${v}`),
              weirdHeaderValue.map((v) => `X-Forwarded-Host: ${v}`),
              weirdHeaderValue.map((v) => `Sec-WebSocket-Protocol: ${v}`),
              weirdHeaderValue.map((v) => `Sec-WebSocket-Extensions: ${v}`),
              fc.constantFrom('Sec-WebSocket-Version: 8', 'Sec-WebSocket-Key: short', 'Sec-WebSocket-Protocol: audio.twilio.com', 'Sec-WebSocket-Protocol: audio.twilio.com, audio.twilio.com', 'Transfer-Encoding: chunked', 'Content-Length: 5', `X-Big: ${'b'.repeat(20000)}`),
            ),
            { maxLength: 4 },
          ),
        )
        .map(([path, extra]) => ({ type: 'raw' as const, label: 'odd upgrade', request: Buffer.from(upgradeRequest(port, path, extra), 'latin1'), after: [], destroyAfterWrite: false, expectCodes: [], validFrames: 0 })),
    },
    // a valid upgrade with junk bytes glued to it (they reach ws as the first frames)
    {
      weight: 1,
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 500 }).map((b) => ({
        type: 'raw' as const,
        label: 'upgrade+junk',
        request: Buffer.concat([Buffer.from(valid, 'latin1'), Buffer.from(b)]),
        after: [],
        destroyAfterWrite: false,
        expectCodes: [1000, 1001, 1002, 1003, 1007, 1008, 1009], // 1000/1001: the junk happened to be a close frame
        validFrames: 0,
      })),
    },
  );
}

/** Frames a raw case writes (for the frame count). */
export function rawFrameCount(c: RawCase): number {
  return c.after.length + (c.request ? 1 : 0);
}

export interface RawResult {
  statusLine?: string;
  status?: number;
  closeCode?: number;
  timedOut: boolean;
}

/** Runs one raw case against the router; resolves when the server ends the connection or after `waitMs`. */
export function runRaw(port: number, c: RawCase, waitMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const result: RawResult = { timedOut: false };
    let buf = Buffer.alloc(0);
    let headerEnd = -1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      result.timedOut = true;
      finish();
    }, waitMs);
    sock.on('error', () => finish());
    sock.on('close', () => finish());
    sock.on('connect', () => sock.write(c.request ?? upgradeRequest(port)));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (headerEnd < 0) {
        headerEnd = buf.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        result.statusLine = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
        result.status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(result.statusLine)?.[1] ?? NaN);
        buf = buf.subarray(headerEnd + 4);
        if (result.status !== 101) return finish(); // refused: nothing more to learn
        if (c.after.length === 0 && c.expectCodes.length === 0) return finish();
        if (c.destroyAfterWrite) {
          // Written, then the connection reset: the server holds half a frame when the peer vanishes.
          c.after.forEach((f, i) => sock.write(f, i === c.after.length - 1 ? () => (sock.resetAndDestroy(), finish()) : undefined));
          return;
        }
        for (const f of c.after) sock.write(f);
      }
      // Server frames (unmasked): look for the close frame.
      while (buf.length >= 2) {
        const op = (buf[0] as number) & 0x0f;
        let len = (buf[1] as number) & 0x7f;
        let at = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          at = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          at = 10;
        }
        if (buf.length < at + len) return;
        if (op === 8) {
          result.closeCode = len >= 2 ? buf.readUInt16BE(at) : 1005;
          return finish();
        }
        buf = buf.subarray(at + len);
      }
    });
  });
}
