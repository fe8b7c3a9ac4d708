// TtsProvider over Debian's espeak-ng CLI: Hebrew or English, 8 kHz μ-law chunks streamed as the process writes.

import { spawn } from 'node:child_process';

import { ProviderError } from '../contracts';
import type { TtsProvider } from '../contracts';
import { detectLanguage, languageFromTag, stripNiqqud } from './hebrew-text';
import { WavStreamError, WavStreamToMulaw } from './wav-stream-to-mulaw';

export const ESPEAK_TTS = 'espeak-tts';

export interface EspeakTtsOptions {
  /** The executable; default "espeak-ng" on PATH. */
  binary?: string;
  /** espeak-ng voice per language; default { he: 'he', en: 'en-us' }. */
  voices?: { he?: string; en?: string };
  /** Words per minute (espeak-ng -s); default 160. */
  rate?: number;
  /** 0–99 (espeak-ng -p); default espeak's 50. */
  pitch?: number;
  /** Size of the yielded chunks in ms of audio; default 100 (800 bytes). */
  chunkMs?: number;
  /** Language for text with neither Hebrew nor Latin letters (digits only); default "he". */
  defaultLanguage?: 'he' | 'en';
}

const SETUP_HINT = 'install it with the setup script (npm run setup, which runs apt-get install espeak-ng)';

/** Resolves true when `binary --version` runs; never rejects. */
export function espeakAvailable(binary = 'espeak-ng'): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('close', (code) => resolve(code === 0));
  });
}

/** What espeak-ng is given: niqqud stripped, one line, no control characters. */
export function prepareEspeakText(text: string): string {
  return stripNiqqud(text)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export class EspeakTtsProvider implements TtsProvider {
  readonly name = ESPEAK_TTS;
  private readonly opts: EspeakTtsOptions;

  constructor(opts: EspeakTtsOptions = {}) {
    this.opts = opts;
  }

  /** The espeak-ng voice for a BCP-47 hint, or from the text's letters when there is no usable hint. */
  voiceFor(text: string, language?: string): string {
    const lang = languageFromTag(language) ?? detectLanguage(text, this.opts.defaultLanguage ?? 'he');
    return lang === 'he' ? (this.opts.voices?.he ?? 'he') : (this.opts.voices?.en ?? 'en-us');
  }

  async *synthesize(text: string, signal: AbortSignal, opts?: { language?: string }): AsyncGenerator<Uint8Array> {
    const clean = prepareEspeakText(text);
    if (clean.length === 0 || signal.aborted) return;
    const binary = this.opts.binary ?? 'espeak-ng';
    const args = ['-v', this.voiceFor(clean, opts?.language), '-s', String(this.opts.rate ?? 160), '-b', '1', '--stdout', '--stdin'];
    if (this.opts.pitch !== undefined) args.push('-p', String(this.opts.pitch));

    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let spawnError: NodeJS.ErrnoException | undefined;
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.once('error', (err: NodeJS.ErrnoException) => (spawnError = err));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-500)));
    child.stdin.on('error', () => undefined); // EPIPE when the process dies first; the exit code tells the story
    child.stdin.end(clean, 'utf8');
    const kill = (): void => void child.kill('SIGKILL');
    signal.addEventListener('abort', kill, { once: true });

    const chunkBytes = Math.max(160, Math.round((this.opts.chunkMs ?? 100) * 8));
    const wav = new WavStreamToMulaw();
    let pending = new Uint8Array(0);
    const append = (bytes: Uint8Array): void => {
      if (bytes.length === 0) return;
      const joined = new Uint8Array(pending.length + bytes.length);
      joined.set(pending);
      joined.set(bytes, pending.length);
      pending = joined;
    };
    try {
      try {
        for await (const data of child.stdout as AsyncIterable<Buffer>) {
          if (signal.aborted) return;
          append(wav.push(data));
          while (pending.length >= chunkBytes) {
            const chunk = pending.slice(0, chunkBytes);
            pending = pending.subarray(chunkBytes);
            yield chunk;
            if (signal.aborted) return;
          }
        }
        const code = await exited;
        if (signal.aborted) return;
        if (spawnError) throw this.spawnFailure(binary, spawnError);
        if (code !== 0) {
          throw new ProviderError(ESPEAK_TTS, 'PROVIDER_BAD_RESPONSE', `espeak-ng exited with ${code}: ${stderr.trim()}`, {
            ...(code !== null ? { providerCode: code } : {}),
          });
        }
        append(wav.end());
      } catch (err) {
        if (err instanceof WavStreamError) {
          throw new ProviderError(ESPEAK_TTS, 'PROVIDER_BAD_RESPONSE', `espeak-ng wrote unusable audio: ${err.message}`, { cause: err });
        }
        throw err;
      }
      for (let at = 0; at < pending.length; at += chunkBytes) yield pending.slice(at, at + chunkBytes);
    } finally {
      signal.removeEventListener('abort', kill);
      if (child.exitCode === null && child.signalCode === null) kill(); // the consumer stopped early
    }
  }

  private spawnFailure(binary: string, err: NodeJS.ErrnoException): ProviderError {
    const missing = err.code === 'ENOENT';
    const message = missing ? `${binary} is not installed: ${SETUP_HINT}` : `cannot run ${binary}: ${err.message}`;
    return new ProviderError(ESPEAK_TTS, 'PROVIDER_UNAVAILABLE', message, { cause: err, ...(err.code ? { providerCode: err.code } : {}) });
  }
}
