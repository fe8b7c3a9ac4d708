// Sample-rate conversion for int16 PCM by windowed-sinc (Kaiser) interpolation; low-passes below the lower Nyquist.

import { assertPositive } from './audio-error';

/** Zero crossings of the sinc on each side: more = sharper transition band, more work per sample. */
const ZERO_CROSSINGS = 24;
/** Cutoff as a fraction of the lower of the two Nyquist frequencies (3.68 kHz when the output is 8 kHz). */
const CUTOFF = 0.92;
/** Kaiser β ≈ 7 gives ≈ 70 dB stop-band side lobes. */
const KAISER_BETA = 7;
/** Above this many filter phases, fractional positions are rounded to 1/MAX_PHASES of a sample. */
const MAX_PHASES = 1024;

interface Filter {
  phases: number;
  taps: number;
  /** First tap's index relative to floor(t). */
  first: number;
  /** phases × taps coefficients, each phase normalized to unit DC gain. */
  coeffs: Float32Array;
  /** Exact integer stepping when both rates are integers: output k sits at input (k·m)/l. */
  m: number;
  l: number;
}

const cache = new Map<string, Filter>();

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50 && term > sum * 1e-12; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function buildFilter(fromRate: number, toRate: number): Filter {
  const fc = 0.5 * Math.min(1, toRate / fromRate) * CUTOFF; // cycles per input sample
  const halfWidth = ZERO_CROSSINGS / (2 * fc); // in input samples
  const reach = Math.ceil(halfWidth);
  const taps = 2 * reach;
  const first = -reach + 1;

  let m = 0;
  let l = 0;
  let phases = MAX_PHASES;
  if (Number.isInteger(fromRate) && Number.isInteger(toRate)) {
    const g = gcd(fromRate, toRate);
    if (toRate / g <= MAX_PHASES) {
      m = fromRate / g;
      l = toRate / g;
      phases = l;
    }
  }

  const coeffs = new Float32Array(phases * taps);
  const i0Beta = besselI0(KAISER_BETA);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const d = first + j - frac;
      const r = d / halfWidth;
      if (r <= -1 || r >= 1) continue;
      const x = 2 * fc * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = (sinc * besselI0(KAISER_BETA * Math.sqrt(1 - r * r))) / i0Beta;
      coeffs[p * taps + j] = w;
      sum += w;
    }
    for (let j = 0; j < taps; j++) coeffs[p * taps + j] = (coeffs[p * taps + j] as number) / sum;
  }
  return { phases, taps, first, coeffs, m, l };
}

function filterFor(fromRate: number, toRate: number): Filter {
  const key = `${fromRate}:${toRate}`;
  let filter = cache.get(key);
  if (!filter) {
    filter = buildFilter(fromRate, toRate);
    if (cache.size >= 16) cache.clear(); // few distinct rate pairs occur in practice
    cache.set(key, filter);
  }
  return filter;
}

/** Number of output samples for `inputLength` input samples: every output instant inside [0, inputLength). */
export function resampledLength(inputLength: number, fromRate: number, toRate: number): number {
  return Math.max(0, Math.ceil((inputLength * toRate) / fromRate - 1e-9));
}

/**
 * Converts `pcm` from `fromRate` to `toRate` (any ratio). Samples beyond either end count as zero.
 * Equal rates return a copy.
 */
export function resample(pcm: Int16Array, fromRate: number, toRate: number): Int16Array {
  assertPositive('fromRate', fromRate);
  assertPositive('toRate', toRate);
  if (fromRate === toRate) return pcm.slice();

  const n = pcm.length;
  const outLength = resampledLength(n, fromRate, toRate);
  const out = new Int16Array(outLength);
  const { phases, taps, first, coeffs, m, l } = filterFor(fromRate, toRate);
  const step = fromRate / toRate;

  for (let k = 0; k < outLength; k++) {
    let i: number;
    let phase: number;
    if (l > 0) {
      const num = k * m;
      i = Math.floor(num / l);
      phase = num - i * l;
    } else {
      const t = k * step;
      i = Math.floor(t);
      phase = Math.round((t - i) * phases);
      if (phase === phases) {
        i++;
        phase = 0;
      }
    }
    const base = i + first;
    const c = phase * taps;
    let acc = 0;
    if (base >= 0 && base + taps <= n) {
      for (let j = 0; j < taps; j++) acc += (pcm[base + j] as number) * (coeffs[c + j] as number);
    } else {
      const from = Math.max(0, -base);
      const to = Math.min(taps, n - base);
      for (let j = from; j < to; j++) acc += (pcm[base + j] as number) * (coeffs[c + j] as number);
    }
    const v = Math.round(acc);
    out[k] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}
