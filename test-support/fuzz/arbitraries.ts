// fast-check arbitraries shared by the fuzz tests: valid Twilio frames (built with the package's own builders) and mutations of them.
import fc from 'fast-check';
import type { twilioMessage as TwilioBuilders, serverMessage as ServerBuilders } from '@tva/twilio-media-stream';

/** The package's builders, passed in so the package test can use its src and the live test its dist. */
export interface Builders {
  twilioMessage: typeof TwilioBuilders;
  serverMessage: typeof ServerBuilders;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObj = { [key: string]: Json };

export const TWILIO_EVENT_NAMES = ['connected', 'start', 'media', 'dtmf', 'mark', 'stop'] as const;
export const ALLOWED_CLOSE_CODES = [1003, 1007, 1008, 1009] as const;

// ---------------------------------------------------------------- strings

const charIn = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
export const hebrewChar = charIn(0x05d0, 0x05ea);
const niqqudChar = charIn(0x05b0, 0x05c7);
export const loneSurrogate = charIn(0xd800, 0xdfff);
const astralChar = fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c));
const specialChar = fc.constantFrom('\u0000', '\u202e', '\u200f', '\ufeff', '\u2028', '"', '\\', '\n', '{', '}', '[', ']', ':', ',', 'é', '😀', '\ufffd');
export const weirdChar = fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), hebrewChar, niqqudChar, loneSurrogate, astralChar, specialChar);

/** Strings as an attacker or a buggy peer might send: ASCII, Hebrew with niqqud, lone surrogates, astral, JSON syntax. */
export function weirdString(maxLength = 24): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: weirdChar, maxLength }),
    fc.string({ unit: hebrewChar, minLength: 1, maxLength }),
    fc.constantFrom('', ' ', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'שלום עולם', 'inbound', 'MZ'),
  );
}

const hex32 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });

/** A SID: mostly Twilio-like, sometimes a UUID (seen in a real log) or anything at all. */
export function sidArb(prefix: string): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: hex32.map((h) => prefix + h) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 2, arbitrary: weirdString() });
}

/** A number as the builders take it: number or digit string (Twilio sends digit strings). */
const numArb: fc.Arbitrary<number | string> = fc.oneof(fc.nat(), fc.nat().map(String), fc.stringMatching(/^\d{1,30}$/));

// ---------------------------------------------------------------- valid frames

/** A valid Twilio → server frame, and the message parseTwilioMessage must return for it (built independently of the parser). */
export interface ValidFrame {
  event: (typeof TWILIO_EVENT_NAMES)[number];
  text: string;
  expected: Json;
  /** The payload bytes of a media frame. */
  payload?: Uint8Array;
}

export interface ValidFrameOptions {
  sid?: fc.Arbitrary<string>;
  events?: ReadonlyArray<(typeof TWILIO_EVENT_NAMES)[number]>;
  payload?: fc.Arbitrary<Uint8Array>;
}

export function arbitraries(b: Builders) {
  const { twilioMessage, serverMessage } = b;

  function validFrame(opts: ValidFrameOptions = {}): fc.Arbitrary<ValidFrame> {
    const sid = opts.sid ?? sidArb('MZ');
    const payloadArb = opts.payload ?? fc.oneof(fc.uint8Array({ minLength: 160, maxLength: 160 }), fc.uint8Array({ maxLength: 480 }));
    const events = opts.events ?? TWILIO_EVENT_NAMES;
    const byEvent: Record<(typeof TWILIO_EVENT_NAMES)[number], fc.Arbitrary<ValidFrame>> = {
      connected: fc.constant(0).map(() => ({
        event: 'connected' as const,
        text: twilioMessage.connected(),
        expected: { event: 'connected', protocol: 'Call', version: '1.0.0' },
      })),
      start: fc
        .record({
          streamSid: sid,
          callSid: sidArb('CA'),
          accountSid: sidArb('AC'),
          customParameters: fc.option(fc.dictionary(weirdString(12), weirdString(40), { maxKeys: 4, noNullPrototype: true }), { nil: undefined }),
          sequenceNumber: fc.option(numArb, { nil: undefined }),
          tracks: fc.option(fc.array(weirdString(10), { maxLength: 3 }), { nil: undefined }),
        })
        .map((o) => {
          return {
            event: 'start' as const,
            text: twilioMessage.start(o),
            expected: {
              event: 'start',
              sequenceNumber: String(o.sequenceNumber ?? 1),
              streamSid: o.streamSid,
              start: {
                accountSid: o.accountSid,
                streamSid: o.streamSid,
                callSid: o.callSid,
                tracks: o.tracks ?? ['inbound'],
                mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
                customParameters: o.customParameters ?? {},
              },
            },
          };
        }),
      media: fc
        .record({ streamSid: sid, sequenceNumber: numArb, chunk: numArb, timestamp: numArb, payload: payloadArb, track: fc.option(weirdString(10), { nil: undefined }) })
        .map((o) => ({
          event: 'media' as const,
          text: twilioMessage.media(o),
          payload: o.payload,
          expected: {
            event: 'media',
            sequenceNumber: String(o.sequenceNumber),
            streamSid: o.streamSid,
            media: { track: o.track ?? 'inbound', chunk: String(o.chunk), timestamp: String(o.timestamp), payload: Buffer.from(o.payload).toString('base64') },
          },
        })),
      dtmf: fc
        .record({
          streamSid: sid,
          sequenceNumber: numArb,
          digit: fc.constantFrom(...'0123456789*#ABCD'),
          track: fc.option(weirdString(12), { nil: undefined }),
        })
        .map((o) => ({
          event: 'dtmf' as const,
          text: twilioMessage.dtmf(o),
          expected: { event: 'dtmf', sequenceNumber: String(o.sequenceNumber), streamSid: o.streamSid, dtmf: { track: o.track ?? 'inbound_track', digit: o.digit } },
        })),
      mark: fc.record({ streamSid: sid, sequenceNumber: numArb, name: weirdString(40) }).map((o) => ({
        event: 'mark' as const,
        text: twilioMessage.mark(o),
        expected: { event: 'mark', sequenceNumber: String(o.sequenceNumber), streamSid: o.streamSid, mark: { name: o.name } },
      })),
      stop: fc.record({ streamSid: sid, sequenceNumber: numArb, accountSid: sidArb('AC'), callSid: sidArb('CA') }).map((o) => ({
        event: 'stop' as const,
        text: twilioMessage.stop(o),
        expected: { event: 'stop', sequenceNumber: String(o.sequenceNumber), streamSid: o.streamSid, stop: { accountSid: o.accountSid, callSid: o.callSid } },
      })),
    };
    return fc.oneof(...events.map((e) => byEvent[e]));
  }

  /** A valid server → Twilio frame (media, mark, clear) and its expected parse. */
  function validServerFrame(sid: fc.Arbitrary<string> = sidArb('MZ')): fc.Arbitrary<{ text: string; expected: Json; streamSid: string }> {
    return fc.oneof(
      fc.record({ sid, payload: fc.uint8Array({ maxLength: 1600 }) }).map(({ sid: s, payload }) => ({
        text: serverMessage.media(s, payload),
        streamSid: s,
        expected: { event: 'media', streamSid: s, media: { payload: Buffer.from(payload).toString('base64') } },
      })),
      fc.record({ sid, name: weirdString(40) }).map(({ sid: s, name }) => ({
        text: serverMessage.mark(s, name),
        streamSid: s,
        expected: { event: 'mark', streamSid: s, mark: { name } },
      })),
      sid.map((s) => ({ text: serverMessage.clear(s), streamSid: s, expected: { event: 'clear', streamSid: s } })),
    );
  }

  return { validFrame, validServerFrame };
}

// ---------------------------------------------------------------- mutations

type Path = Array<string | number>;

export type ObjectMutation =
  | { kind: 'drop'; at: number }
  | { kind: 'set'; at: number; value: Json }
  | { kind: 'retype'; at: number }
  | { kind: 'add'; at: number; key: string; value: Json }
  | { kind: 'event'; name: string }
  | { kind: 'raw'; at: number; raw: string };

export type TextMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; s: string }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'bytes'; at: number; bytes: Uint8Array }
  | { kind: 'wrap'; pre: string; post: string }
  | { kind: 'twice' };

/** Raw JSON (or almost-JSON) text put in place of a value: huge numbers, deep nesting, bad escapes, numbers as text. */
export const rawValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '9007199254740993', '0.1', '1E2', '-1', '8000.0',
    'NaN', 'Infinity', 'undefined', '0x10', '01', "'x'", '"\\x41"', '"\\ud800"', '"\\udc00\\ud800"', '"\\u05e9\\u05dc\\u05d5\\u05dd"',
    '"\\u0000"', 'tru', 'nul', '"unterminated', '[1,]', '{"a":1,}', '"a" "b"', '"1"', '" 1"', '"1 "', '"+1"', '"-1"', '"1e3"', '"١٢"', '""',
  ),
  fc.integer({ min: 1, max: 20000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 20000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map((n) => '['.repeat(n)),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double().map((d) => JSON.stringify(d)),
  fc.stringMatching(/^-?\d{1,400}(\.\d{1,40})?([eE][+-]?\d{1,5})?$/),
);

const specialValue: fc.Arbitrary<Json> = fc.constantFrom<Json>(null, '', 0, -1, 1.5, [], {}, true, false, 'inbound', '8000', 8000, 1e308, -1e308, Number.MAX_SAFE_INTEGER, '0', 'AAAA', '====', 'A===');
export const jsonish: fc.Arbitrary<Json> = fc.oneof(
  { weight: 2, arbitrary: specialValue },
  { weight: 2, arbitrary: weirdString() as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
);

const eventName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TWILIO_EVENT_NAMES, 'clear', 'Media', 'MEDIA', ' media', 'media ', 'stop\u0000', 'מדיה', '__proto__', 'constructor', 'toString'),
  weirdString(),
);

export const objectMutation: fc.Arbitrary<ObjectMutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: jsonish }),
  fc.record({ kind: fc.constant('retype' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: weirdString(12), value: jsonish }),
  fc.record({ kind: fc.constant('event' as const), name: eventName }),
  fc.record({ kind: fc.constant('raw' as const), at: fc.nat(), raw: rawValue }),
);

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.oneof(weirdString(8), rawValue.map((r) => r.slice(0, 64))) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('wrap' as const), pre: fc.constantFrom('', ' ', '\ufeff', '\n', '[', '"'), post: fc.constantFrom('', ' ', '\n', ']', ',', '}', '\u0000') }),
  fc.constant({ kind: 'twice' as const }),
);

export interface Mutations {
  object: ObjectMutation[];
  text: TextMutation[];
}

export const mutations: fc.Arbitrary<Mutations> = fc.record({
  object: fc.array(objectMutation, { minLength: 0, maxLength: 4 }),
  text: fc.oneof({ weight: 3, arbitrary: fc.constant([] as TextMutation[]) }, { weight: 1, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 2 }) }),
});

function isObj(v: unknown): v is JsonObj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every path to a value inside `root` (not the root itself), depth first. */
function pathsOf(root: Json): Path[] {
  const out: Path[] = [];
  const walk = (v: Json, p: Path) => {
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([...p, i]), walk(x, [...p, i])));
    else if (isObj(v)) for (const k of Object.keys(v)) (out.push([...p, k]), walk(v[k] as Json, [...p, k]));
  };
  walk(root, []);
  return out;
}

/** Paths to containers (root included), for 'add'. */
function containersOf(root: Json): Path[] {
  const out: Path[] = [[]];
  for (const p of pathsOf(root)) {
    const v = getAt(root, p);
    if (isObj(v)) out.push(p);
  }
  return out;
}

function getAt(root: Json, p: Path): Json {
  let v: Json = root;
  for (const k of p) v = (v as Record<string | number, Json>)[k] as Json;
  return v;
}

function setAt(root: Json, p: Path, value: Json | undefined): void {
  const parent = getAt(root, p.slice(0, -1)) as Record<string | number, Json>;
  const key = p[p.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (Array.isArray(parent)) parent[key as number] = value;
  else Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true }); // own, even "__proto__"
}

function retype(v: Json): Json {
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : v === '' ? 0 : [v];
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 0;
  if (Array.isArray(v)) return v.length > 0 ? (v[0] as Json) : {};
  return Object.values(v);
}

const RAW_MARK = (i: number) => `\u0001RAW${i}\u0001`;

/** Applies object mutations to the parsed frame, then text mutations to its text. Never throws. */
export function applyMutations(text: string, m: Mutations): string {
  let out = text;
  if (m.object.length > 0) {
    const root = JSON.parse(text) as Json;
    const raws: string[] = [];
    for (const mut of m.object) {
      if (mut.kind === 'event') {
        if (isObj(root)) root['event'] = mut.name;
        continue;
      }
      if (mut.kind === 'add') {
        const containers = containersOf(root);
        const c = getAt(root, containers[mut.at % containers.length] as Path);
        if (isObj(c)) Object.defineProperty(c, mut.key, { value: structuredClone(mut.value), enumerable: true, writable: true, configurable: true });
        continue;
      }
      const paths = pathsOf(root);
      if (paths.length === 0) continue;
      const p = paths[mut.at % paths.length] as Path;
      if (mut.kind === 'drop') setAt(root, p, undefined);
      else if (mut.kind === 'set') setAt(root, p, structuredClone(mut.value)); // generated values are shared: never mutate them
      else if (mut.kind === 'retype') setAt(root, p, retype(getAt(root, p)));
      else {
        raws.push(mut.raw);
        setAt(root, p, RAW_MARK(raws.length - 1));
      }
    }
    out = JSON.stringify(root);
    raws.forEach((raw, i) => (out = out.replace(JSON.stringify(RAW_MARK(i)), () => raw)));
  }
  for (const mut of m.text) {
    const at = out.length === 0 ? 0 : mut.kind === 'wrap' || mut.kind === 'twice' ? 0 : mut.at % (out.length + 1);
    switch (mut.kind) {
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'insert':
        out = out.slice(0, at) + mut.s + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + mut.n);
        break;
      case 'bytes': {
        // Raw bytes spliced into the UTF-8 encoding, then decoded as a server would (invalid sequences become U+FFFD).
        const buf = Buffer.from(out, 'utf8');
        const bat = mut.at % (buf.length + 1);
        out = Buffer.concat([buf.subarray(0, bat), Buffer.from(mut.bytes), buf.subarray(bat)]).toString('utf8');
        break;
      }
      case 'wrap':
        out = mut.pre + out + mut.post;
        break;
      case 'twice':
        out = out + out;
        break;
    }
  }
  return out;
}

/** Raw bytes spliced into a frame's UTF-8 (may leave it invalid UTF-8): what a broken peer could put on the wire. */
export const byteSplice = fc.record({ at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(Uint8Array.of(0xff), Uint8Array.of(0xc3), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xf4, 0x90, 0x80, 0x80), Uint8Array.of(0xe2, 0x82))) });

export function spliceBytes(text: string, s: { at: number; bytes: Uint8Array }): Buffer {
  const buf = Buffer.from(text, 'utf8');
  const at = s.at % (buf.length + 1);
  return Buffer.concat([buf.subarray(0, at), Buffer.from(s.bytes), buf.subarray(at)]);
}

/** Strings that look a bit like JSON, to get past the first character of the parser more often. */
export const jsonAlphabetString = fc.string({ unit: fc.constantFrom(...'{}[]":,0123456789.eE-+ tfnrulsaev\\'.split(''), '"event"', '"media"', '"start"', '"streamSid"'), maxLength: 80 });

/** Arbitrary text for the parsers: plain, full unicode, weird, JSON-ish. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: weirdChar, maxLength: 100 }),
  jsonAlphabetString,
);

/** Arbitrary JSON: any value, and objects that carry a real event name with random other fields. */
export const anyJson: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>,
  fc
    .record({ event: fc.constantFrom(...TWILIO_EVENT_NAMES, 'clear'), rest: fc.dictionary(fc.constantFrom('sequenceNumber', 'streamSid', 'start', 'media', 'dtmf', 'mark', 'stop', 'protocol', 'version', 'x'), jsonish, { maxKeys: 6 }) })
    .map(({ event, rest }) => ({ ...rest, event }) as Json),
);
