// EspeakTtsProvider against the real espeak-ng CLI (the setup script installs it; missing means failure).
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeMulaw, wavToMulaw8k } from '@tva/audio';
import { ProviderError } from '../src/contracts';
import { EspeakTtsProvider, espeakAvailable, prepareEspeakText } from '../src/offline';
import { waitUntil } from '../../../test-support/wait-until';

const HEBREW = 'שלום, מה שלומך היום? אני הסוכן הקולי של העסק.';
const HEBREW_NIQQUD = 'שָׁלוֹם, מַה שְּׁלוֹמְךָ הַיּוֹם? אֲנִי הַסּוֹכֵן הַקּוֹלִי שֶׁל הָעֵסֶק.';
const ENGLISH = 'Hello, thanks for calling. How can I help you today?';

async function synth(tts: EspeakTtsProvider, text: string, language?: string): Promise<{ chunks: Uint8Array[]; audio: Uint8Array; firstMs: number }> {
  const chunks: Uint8Array[] = [];
  const start = performance.now();
  let firstMs = -1;
  for await (const c of tts.synthesize(text, new AbortController().signal, language ? { language } : undefined)) {
    if (firstMs < 0) firstMs = performance.now() - start;
    chunks.push(c);
  }
  const audio = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    audio.set(c, at);
    at += c.length;
  }
  return { chunks, audio, firstMs };
}

function rms(mulaw: Uint8Array): number {
  const pcm = decodeMulaw(mulaw);
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}

t.before(async () => {
  if (!(await espeakAvailable())) throw new Error('espeak-ng is not installed: run the setup script (apt-get install espeak-ng)');
});

t.test('espeak-ng is installed', async (t) => {
  t.equal(await espeakAvailable(), true, 'the setup script must install espeak-ng');
  t.equal(await espeakAvailable('/nonexistent/espeak-ng'), false);
});

t.test('Hebrew with niqqud gives audible 8 kHz μ-law of plausible length, same as without niqqud', async (t) => {
  const tts = new EspeakTtsProvider();
  t.equal(prepareEspeakText(HEBREW_NIQQUD), HEBREW, 'niqqud and cantillation stripped');
  const withMarks = await synth(tts, HEBREW_NIQQUD);
  const plain = await synth(tts, HEBREW);
  const seconds = withMarks.audio.length / 8000;
  t.ok(seconds > 1.5 && seconds < 8, `${seconds.toFixed(2)} s for ${HEBREW.length} characters`);
  t.ok(rms(withMarks.audio) > 500, `not silent (rms ${rms(withMarks.audio).toFixed(0)})`);
  t.same(withMarks.audio, plain.audio, 'the marks change nothing espeak-ng hears');
  t.comment(`Hebrew sentence: first chunk after ${plain.firstMs.toFixed(0)} ms`);
});

t.test('English gives audible μ-law in ~100 ms chunks; the stream matches a one-shot conversion', async (t) => {
  const tts = new EspeakTtsProvider();
  const { chunks, audio, firstMs } = await synth(tts, ENGLISH);
  const seconds = audio.length / 8000;
  t.ok(seconds > 1.5 && seconds < 8, `${seconds.toFixed(2)} s`);
  t.ok(rms(audio) > 500, 'not silent');
  t.ok(chunks.slice(0, -1).every((c) => c.length === 800), 'every chunk but the last is 100 ms');
  t.comment(`English sentence: first chunk after ${firstMs.toFixed(0)} ms`);
  const wav = execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-b', '1', '--stdout', ENGLISH]);
  // Why patch the sizes: espeak-ng writes 0x7ffff000 as a placeholder when streaming, which decodeWav rejects.
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  view.setUint32(4, wav.length - 8, true);
  view.setUint32(40, wav.length - 44, true);
  t.same(audio, wavToMulaw8k(wav), 'streamed conversion = @tva/audio wavToMulaw8k of the whole file');
});

t.test('the voice follows the language hint, else the letters', async (t) => {
  const tts = new EspeakTtsProvider({ voices: { en: 'en-gb' } });
  t.equal(tts.voiceFor('hello', 'he-IL'), 'he');
  t.equal(tts.voiceFor('שלום', 'en-US'), 'en-gb');
  t.equal(tts.voiceFor('שלום, call me'), 'he');
  t.equal(tts.voiceFor('call me'), 'en-gb');
  t.equal(tts.voiceFor('123', 'fr-FR'), 'he', 'digits only: the default language');
  const en = await synth(new EspeakTtsProvider(), 'שלום', 'en-US');
  t.ok(en.audio.length >= 0, 'an English voice on Hebrew text does not fail');
});

t.test('text with nothing to say yields nothing and starts no process', async (t) => {
  const tts = new EspeakTtsProvider({ binary: '/nonexistent/espeak-ng' });
  t.same((await synth(tts, '  \u05B0\u05B4 \n ')).chunks, []);
});

t.test('a missing binary is PROVIDER_UNAVAILABLE and says how to install it', async (t) => {
  const tts = new EspeakTtsProvider({ binary: '/nonexistent/espeak-ng' });
  const err = await synth(tts, ENGLISH).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ProviderError);
  t.equal((err as ProviderError).code, 'PROVIDER_UNAVAILABLE');
  t.equal((err as ProviderError).providerCode, 'ENOENT');
  t.match((err as ProviderError).message, /setup script/);
});

function fakeBinary(t: Test, body: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'espeak-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'espeak-fake');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

async function failure(tts: EspeakTtsProvider): Promise<ProviderError> {
  const err = await synth(tts, ENGLISH).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

t.test('a failing process is PROVIDER_BAD_RESPONSE with its exit code and stderr', async (t) => {
  const err = await failure(new EspeakTtsProvider({ binary: fakeBinary(t, 'cat >/dev/null; echo "voice exploded" >&2; exit 3') }));
  t.equal(err.code, 'PROVIDER_BAD_RESPONSE');
  t.equal(err.providerCode, 3);
  t.match(err.message, /voice exploded/);
});

t.test('output that is not WAV is PROVIDER_BAD_RESPONSE', async (t) => {
  const err = await failure(new EspeakTtsProvider({ binary: fakeBinary(t, 'cat >/dev/null; echo "this is certainly not a RIFF file"') }));
  t.equal(err.code, 'PROVIDER_BAD_RESPONSE');
  t.match(err.message, /RIFF/);
});

t.test('abort kills the process promptly', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'espeak-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pidFile = path.join(dir, 'pid');
  const wrapper = path.join(dir, 'espeak-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\necho $$ > ${pidFile}\nexec espeak-ng "$@"\n`);
  chmodSync(wrapper, 0o755);
  const tts = new EspeakTtsProvider({ binary: wrapper, rate: 80 });
  const long = Array.from({ length: 40 }, () => ENGLISH).join(' ');
  const ac = new AbortController();
  let chunks = 0;
  let abortedAt = 0;
  for await (const _ of tts.synthesize(long, ac.signal)) {
    chunks++;
    if (chunks === 1) {
      abortedAt = performance.now();
      setTimeout(() => ac.abort(), 5);
    }
  }
  const took = performance.now() - abortedAt;
  t.ok(took < 200, `iteration ended ${took.toFixed(0)} ms after the abort`);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const gone = () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
  // unkilled, espeak-ng would speak 40 sentences at rate 80 for far longer than this bound
  await waitUntil('espeak-ng to exit', gone, 500).catch(() => undefined);
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'espeak-ng is gone');
});

t.test('breaking out of the loop kills the process too', async (t) => {
  const tts = new EspeakTtsProvider();
  const long = Array.from({ length: 40 }, () => ENGLISH).join(' ');
  const start = performance.now();
  for await (const _ of tts.synthesize(long, new AbortController().signal)) break;
  t.ok(performance.now() - start < 1000);
});

t.test('latency per sentence (informational)', async (t) => {
  const tts = new EspeakTtsProvider();
  for (const [label, text] of [
    ['he', 'אנחנו פתוחים בימים ראשון עד חמישי מתשע בבוקר עד חמש אחר הצהריים.'],
    ['en', 'We are open Sunday to Thursday from nine in the morning to five in the afternoon.'],
  ] as const) {
    const runs: number[] = [];
    const totals: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      const r = await synth(tts, text);
      runs.push(r.firstMs);
      totals.push(performance.now() - start);
    }
    runs.sort((a, b) => a - b);
    totals.sort((a, b) => a - b);
    t.comment(`${label}: first chunk median ${runs[2]?.toFixed(0)} ms, whole sentence median ${totals[2]?.toFixed(0)} ms`);
    t.ok((runs[2] as number) < 1000);
  }
});
