// An independent model of the Twilio Media Streams parsers and state table, written from the docs, to judge fuzz results.
import { isDeepStrictEqual } from 'node:util';

type Leaf = 'str' | 'digits' | 'finite' | 'base64' | 'strings' | 'stringRecord' | 'dtmfKey';
type Shape = { [key: string]: Leaf | Shape };

const BASE64_STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What Twilio sends (Twilio's Media Streams messages to a server). Extra fields are tolerated; customParameters may be absent. */
export const TWILIO_SHAPES: Record<string, Shape> = {
  connected: { event: 'str', protocol: 'str', version: 'str' },
  start: {
    event: 'str',
    sequenceNumber: 'digits',
    streamSid: 'str',
    start: {
      accountSid: 'str',
      streamSid: 'str',
      callSid: 'str',
      tracks: 'strings',
      mediaFormat: { encoding: 'str', sampleRate: 'finite', channels: 'finite' },
      customParameters: 'stringRecord',
    },
  },
  media: { event: 'str', sequenceNumber: 'digits', streamSid: 'str', media: { track: 'str', chunk: 'digits', timestamp: 'digits', payload: 'base64' } },
  dtmf: { event: 'str', sequenceNumber: 'digits', streamSid: 'str', dtmf: { track: 'str', digit: 'dtmfKey' } },
  mark: { event: 'str', sequenceNumber: 'digits', streamSid: 'str', mark: { name: 'str' } },
  stop: { event: 'str', sequenceNumber: 'digits', streamSid: 'str', stop: { accountSid: 'str', callSid: 'str' } },
};

/** What a server may send (media, mark, clear). No field outside these is allowed. */
export const SERVER_SHAPES: Record<string, Shape> = {
  media: { event: 'str', streamSid: 'str', media: { payload: 'base64' } },
  mark: { event: 'str', streamSid: 'str', mark: { name: 'str' } },
  clear: { event: 'str', streamSid: 'str' },
};

const OPTIONAL = new Set(['customParameters']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function leafOk(leaf: Leaf, v: unknown): boolean {
  switch (leaf) {
    case 'str':
      return typeof v === 'string';
    case 'digits':
      return typeof v === 'string' && /^[0-9]+$/.test(v);
    case 'dtmfKey':
      return typeof v === 'string' && /^[0-9*#A-D]$/.test(v);
    case 'finite':
      return typeof v === 'number' && Number.isFinite(v);
    case 'base64':
      return typeof v === 'string' && BASE64_STRICT.test(v);
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'stringRecord':
      return isObj(v) && Object.values(v).every((x) => typeof x === 'string');
  }
}

/** Does `v` fit `shape`? `strict` forbids fields outside the shape. Returns the first problem, or undefined. */
function fits(v: unknown, shape: Shape, strict: boolean, path: string): 'missing' | 'bad' | undefined {
  if (!isObj(v)) return 'bad';
  let problem: 'missing' | 'bad' | undefined;
  for (const [k, sub] of Object.entries(shape)) {
    const p = path ? `${path}.${k}` : k;
    if (!has(v, k)) {
      if (OPTIONAL.has(k)) continue;
      problem ??= 'missing';
      continue;
    }
    if (typeof sub === 'string') {
      if (!leafOk(sub, v[k])) problem ??= 'bad';
    } else if (!isObj(v[k])) problem ??= 'bad';
    else problem ??= fits(v[k], sub, strict, p);
  }
  if (strict && Object.keys(v).some((k) => !has(shape, k))) problem ??= 'bad';
  return problem;
}

export type Verdict =
  | { ok: true; event: string; input: Record<string, unknown> }
  | { ok: false; codes: string[] };

/** Which result a parser must give for `text`: the message, or one of these error codes. */
export function judge(text: string, shapes: Record<string, Shape>, strict: boolean): Verdict {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, codes: ['TMS_ERR_INVALID_JSON'] };
  }
  if (!isObj(value)) return { ok: false, codes: ['TMS_ERR_NOT_OBJECT'] };
  if (!has(value, 'event')) return { ok: false, codes: ['TMS_ERR_MISSING_FIELD'] };
  const event = value['event'];
  if (typeof event !== 'string') return { ok: false, codes: ['TMS_ERR_BAD_FIELD'] };
  if (!has(shapes, event)) return { ok: false, codes: ['TMS_ERR_UNKNOWN_EVENT'] };
  const problem = fits(value, shapes[event] as Shape, strict, '');
  // Which problem a parser meets first depends on its field order; either code is right when both exist.
  if (problem !== undefined) return { ok: false, codes: ['TMS_ERR_MISSING_FIELD', 'TMS_ERR_BAD_FIELD'] };
  return { ok: true, event, input: value };
}

/**
 * For a successful parse: the output has exactly the shape's fields (no extras), each equal to the input's
 * ("fields in = fields out"); an absent customParameters comes out as {}. Returns a problem or undefined.
 */
export function projectionProblem(out: unknown, input: Record<string, unknown>, shape: Shape, path = ''): string | undefined {
  if (!isObj(out)) return `${path || 'message'} is not an object`;
  const want = Object.keys(shape).sort();
  const got = Object.keys(out).sort();
  if (!isDeepStrictEqual(want, got)) return `${path || 'message'} has keys ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
  for (const [k, sub] of Object.entries(shape)) {
    const p = path ? `${path}.${k}` : k;
    if (typeof sub !== 'string') {
      const problem = projectionProblem(out[k], input[k] as Record<string, unknown>, sub, p);
      if (problem) return problem;
      continue;
    }
    const expected = has(input, k) ? input[k] : OPTIONAL.has(k) ? {} : undefined;
    if (!isDeepStrictEqual(out[k], expected)) return `${p}: out ${JSON.stringify(out[k])} != in ${JSON.stringify(expected)}`;
  }
  return undefined;
}

// ---------------------------------------------------------------- the state table, as documented

export type ModelState = 'awaiting-connected' | 'awaiting-start' | 'streaming' | 'stopped';
export const MODEL_STATES: readonly ModelState[] = ['awaiting-connected', 'awaiting-start', 'streaming', 'stopped'];

const TABLE: Record<ModelState, Partial<Record<string, ModelState>>> = {
  'awaiting-connected': { connected: 'awaiting-start', start: 'streaming', 'start-timeout': 'stopped' },
  'awaiting-start': { start: 'streaming', 'start-timeout': 'stopped' },
  streaming: { media: 'streaming', dtmf: 'streaming', mark: 'streaming', stop: 'stopped', 'send-media': 'streaming', 'send-mark': 'streaming', 'send-clear': 'streaming' },
  stopped: {},
};

export function modelNext(state: ModelState, input: string): ModelState | undefined {
  return TABLE[state][input];
}
