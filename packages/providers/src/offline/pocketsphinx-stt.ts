// Experimental English-only offline STT: spots script keywords with Debian's pocketsphinx_continuous, once per turn.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { decodeMulaw, decodeWav, encodeWav, pcm16ToBytes, resample } from '@tva/audio';

import { ProviderError } from '../contracts';
import type { SttProvider, SttResult, SttSession, SttSessionEvents } from '../contracts';
import type { AgentScript } from './agent-script-types';

export const POCKETSPHINX_STT = 'pocketsphinx-stt';

export interface PocketsphinxSttOptions {
  /** English words or phrases to spot (lower-cased; words missing from the dictionary never match). */
  keywords: readonly string[];
  /** Spotting threshold for every phrase; smaller finds more (and more false hits). Default 1e-8. */
  threshold?: number;
  /** Default "pocketsphinx_continuous" on PATH. */
  binary?: string;
  /** Acoustic model directory; default Debian's pocketsphinx-en-us. */
  modelDir?: string;
  dictPath?: string;
  /** A decode that takes longer is killed. Default 15 000 ms. */
  timeoutMs?: number;
  /** Audio kept between flushes; older audio is dropped. Default 30 000 ms. */
  maxBufferMs?: number;
  /** Turns shorter than this are not decoded. Default 250 ms. */
  minAudioMs?: number;
}

const MODEL_ROOT = '/usr/share/pocketsphinx/model/en-us';
const SETUP_HINT = 'install it with the setup script (apt-get install pocketsphinx pocketsphinx-en-us)';

/**
 * The English keywords of every intent in an agent script, for PocketsphinxSttProvider. Phrases with
 * fewer than `minLetters` letters are left out: on 8 kHz speech short words ("bye", "hi") were
 * "spotted" in unrelated speech at thresholds that still found longer phrases.
 */
export function keywordsFromAgentScript(script: AgentScript, minLetters = 6): string[] {
  const all = script.intents.flatMap((i) => i.keywords.en ?? []);
  const clean = all.map((k) => k.toLowerCase().replace(/[^a-z' ]+/g, ' ').replace(/\s+/g, ' ').trim());
  return [...new Set(clean.filter((k) => k.replace(/[^a-z]/g, '').length >= minLetters))];
}

/**
 * Experimental. Limits, measured on Debian 12's 5prealpha build: the only model is 16 kHz, so 8 kHz
 * phone audio is upsampled and lacks its top band; free decoding with the language model then turns
 * "go forward ten meters" into "a harvard who years", while keyword spotting still finds multi-word
 * phrases. Short words give false hits; synthetic (espeak-ng) speech is not recognized at all. Each
 * decode loads the model again (≈0.4–0.7 s a turn). Tune thresholds on real calls: a false "goodbye" hangs up.
 */
export class PocketsphinxSttProvider implements SttProvider {
  readonly name = POCKETSPHINX_STT;
  readonly keywords: readonly string[];
  private readonly opts: PocketsphinxSttOptions;
  private kwsFile: string | undefined;

  constructor(opts: PocketsphinxSttOptions) {
    this.opts = opts;
    this.keywords = [...new Set(opts.keywords.map((k) => k.toLowerCase().trim()).filter((k) => /^[a-z' ]+$/.test(k)))];
    if (this.keywords.length === 0) {
      throw new ProviderError(POCKETSPHINX_STT, 'PROVIDER_UNAVAILABLE', 'pocketsphinx needs at least one English keyword (letters only)');
    }
  }

  /** Decodes 16 kHz PCM16 samples; resolves the spotted phrases joined by spaces ("" when none). */
  private decode(pcm16k: Int16Array, signal: AbortSignal): Promise<string> {
    const threshold = this.opts.threshold ?? 1e-8;
    if (!this.kwsFile) {
      const text = this.keywords.map((k) => `${k} /${threshold.toExponential()}/\n`).join('');
      // Why a content-named file in tmpdir: pocketsphinx reads keywords only from a file; same list, same file, no leak.
      const file = path.join(tmpdir(), `tva-kws-${createHash('sha1').update(text).digest('hex').slice(0, 16)}.txt`);
      writeFileSync(file, text);
      this.kwsFile = file;
    }
    const modelDir = this.opts.modelDir ?? path.join(MODEL_ROOT, 'en-us');
    // Why a file and not /dev/stdin: Node's stdio pipes are socketpairs, which pocketsphinx cannot open() (ENXIO).
    const wavFile = path.join(tmpdir(), `tva-ps-${randomBytes(8).toString('hex')}.wav`);
    writeFileSync(wavFile, encodeWav(pcm16ToBytes(pcm16k), { sampleRate: 16000, format: 'pcm16' }));
    const args = ['-infile', wavFile, '-kws', this.kwsFile, '-hmm', modelDir, '-dict', this.opts.dictPath ?? path.join(MODEL_ROOT, 'cmudict-en-us.dict'), '-logfn', '/dev/null'];
    const binary = this.opts.binary ?? 'pocketsphinx_continuous';
    return new Promise<string>((resolve, reject) => {
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let timedOut = false;
      const kill = (): void => void child.kill('SIGKILL');
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, this.opts.timeoutMs ?? 15_000);
      signal.addEventListener('abort', kill, { once: true });
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-500)));
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', kill);
        const missing = e.code === 'ENOENT';
        reject(
          new ProviderError(POCKETSPHINX_STT, 'PROVIDER_UNAVAILABLE', missing ? `${binary} is not installed: ${SETUP_HINT}` : e.message, {
            cause: e,
            ...(e.code ? { providerCode: e.code } : {}),
          }),
        );
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', kill);
        if (signal.aborted) return resolve('');
        if (timedOut) return reject(new ProviderError(POCKETSPHINX_STT, 'PROVIDER_TIMEOUT', 'pocketsphinx took too long'));
        if (code !== 0) {
          return reject(
            new ProviderError(POCKETSPHINX_STT, 'PROVIDER_UNAVAILABLE', `pocketsphinx exited with ${code} (model at ${modelDir}? ${SETUP_HINT}) ${err.trim()}`, {
              ...(code !== null ? { providerCode: code } : {}),
            }),
          );
        }
        resolve(out.replace(/\s+/g, ' ').trim());
      });
    }).finally(() => rmSync(wavFile, { force: true }));
  }

  async start(events: SttSessionEvents, signal: AbortSignal): Promise<SttSession> {
    const maxBytes = Math.round((this.opts.maxBufferMs ?? 30_000) * 8);
    const minBytes = Math.round((this.opts.minAudioMs ?? 250) * 8);
    let parts: Uint8Array[] = [];
    let size = 0;
    let closed = false;
    const local = new AbortController();
    const close = async (): Promise<void> => {
      closed = true;
      parts = [];
      local.abort();
    };
    signal.addEventListener('abort', () => void close(), { once: true });
    return {
      write: (mulaw) => {
        if (closed || mulaw.length === 0) return;
        parts.push(mulaw.slice());
        size += mulaw.length;
        while (size > maxBytes && parts.length > 1) size -= (parts.shift() as Uint8Array).length;
      },
      flush: async () => {
        if (closed) return;
        const turn = joinBytes(parts);
        parts = [];
        size = 0;
        if (turn.length < minBytes) return;
        try {
          const text = await this.decode(resample(decodeMulaw(turn), 8000, 16000), local.signal);
          if (!closed && text) events.onFinal?.({ text, language: 'en-US' });
        } catch (err) {
          if (!closed) events.onError?.(err as ProviderError);
        }
      },
      close,
    };
  }

  async recognizeFile(audio: Uint8Array, signal: AbortSignal): Promise<SttResult> {
    let wav;
    try {
      wav = decodeWav(audio);
    } catch (err) {
      throw new ProviderError(POCKETSPHINX_STT, 'PROVIDER_BAD_RESPONSE', `not a usable WAV recording: ${(err as Error).message}`, { cause: err });
    }
    const text = await this.decode(resample(wav.samples, wav.sampleRate, 16000), signal);
    return { text, language: 'en-US' };
  }
}

function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
