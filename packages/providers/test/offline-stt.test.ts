// The offline STT providers: the DTMF-only floor, and pocketsphinx keyword spotting on real speech sent as 8 kHz μ-law.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { encodeMulaw, encodeWav, pcm16FromBytes, resample } from '@tva/audio';
import type { ProviderError, SttResult } from '../src/contracts';
import { DtmfOnlySttProvider, PocketsphinxSttProvider, keywordsFromAgentScript, loadAgentScript } from '../src/offline';

/** Real speech ("go forward ten meters", 16 kHz PCM) from Debian's pocketsphinx-testdata. */
const GO_FORWARD = '/usr/share/pocketsphinx/test/data/goforward.raw';

function phoneAudio(): Uint8Array {
  if (!existsSync(GO_FORWARD)) throw new Error(`${GO_FORWARD} is missing: apt-get install pocketsphinx-testdata`);
  return encodeMulaw(resample(pcm16FromBytes(readFileSync(GO_FORWARD)), 16000, 8000));
}

t.test('DTMF-only STT hears nothing, never fails, and closes idempotently', async (t) => {
  const stt = new DtmfOnlySttProvider();
  const seen: string[] = [];
  const session = await stt.start(
    { onPartial: () => seen.push('partial'), onFinal: () => seen.push('final'), onError: () => seen.push('error') },
    new AbortController().signal,
  );
  session.write(new Uint8Array(160).fill(0x55));
  await session.flush();
  await session.close();
  await session.close();
  session.write(new Uint8Array(160));
  t.same(seen, []);
  t.same(await stt.recognizeFile(new Uint8Array(44), new AbortController().signal), { text: '' });
  t.equal(stt.name, 'dtmf-only-stt');
});

t.test('pocketsphinx spots a keyword in real speech sent as 8 kHz μ-law frames', async (t) => {
  const stt = new PocketsphinxSttProvider({ keywords: ['go forward', 'goodbye', 'opening hours'], threshold: 1e-8 });
  const finals: SttResult[] = [];
  const errors: ProviderError[] = [];
  const session = await stt.start({ onFinal: (r) => finals.push(r), onError: (e) => errors.push(e) }, new AbortController().signal);
  const audio = phoneAudio();
  for (let at = 0; at < audio.length; at += 160) session.write(audio.subarray(at, at + 160));
  const start = performance.now();
  await session.flush();
  t.comment(`pocketsphinx decode of ${(audio.length / 8000).toFixed(1)} s took ${(performance.now() - start).toFixed(0)} ms`);
  t.same(errors, []);
  t.same(finals, [{ text: 'go forward', language: 'en-US' }]);
  await session.close();
});

t.test('recognizeFile takes a μ-law WAV recording', async (t) => {
  const stt = new PocketsphinxSttProvider({ keywords: ['go forward'], threshold: 1e-8 });
  const wav = encodeWav(phoneAudio(), { sampleRate: 8000, format: 'mulaw' });
  t.same(await stt.recognizeFile(wav, new AbortController().signal), { text: 'go forward', language: 'en-US' });
  await t.rejects(stt.recognizeFile(new Uint8Array([1, 2, 3]), new AbortController().signal), { code: 'PROVIDER_BAD_RESPONSE' });
});

t.test('silence and too-short turns give no final', async (t) => {
  const stt = new PocketsphinxSttProvider({ keywords: ['go forward'], threshold: 1e-8 });
  const finals: SttResult[] = [];
  const session = await stt.start({ onFinal: (r) => finals.push(r) }, new AbortController().signal);
  session.write(new Uint8Array(8000).fill(0xff));
  await session.flush();
  session.write(new Uint8Array(800).fill(0xff));
  await session.flush();
  t.same(finals, []);
});

t.test('closing during a decode drops its result', async (t) => {
  const stt = new PocketsphinxSttProvider({ keywords: ['go forward'], threshold: 1e-8 });
  const finals: SttResult[] = [];
  const ac = new AbortController();
  const session = await stt.start({ onFinal: (r) => finals.push(r) }, ac.signal);
  session.write(phoneAudio());
  const flushed = session.flush();
  ac.abort();
  await flushed;
  t.same(finals, []);
});

t.test('a missing binary reaches onError as PROVIDER_UNAVAILABLE', async (t) => {
  const stt = new PocketsphinxSttProvider({ keywords: ['hello'], binary: '/nonexistent/pocketsphinx_continuous' });
  const errors: ProviderError[] = [];
  const session = await stt.start({ onError: (e) => errors.push(e) }, new AbortController().signal);
  session.write(new Uint8Array(8000));
  await session.flush();
  t.equal(errors[0]?.code, 'PROVIDER_UNAVAILABLE');
  t.match(errors[0]?.message ?? '', /setup script/);
});

t.test('keywords come from the agent script, English only', async (t) => {
  const kws = keywordsFromAgentScript(loadAgentScript());
  t.ok(kws.includes('goodbye'));
  t.ok(kws.includes('opening hours') || kws.includes('opening'));
  t.ok(kws.includes("that's all"));
  t.notOk(kws.includes('bye'), 'short words are left out (false hits on 8 kHz speech)');
  t.ok(keywordsFromAgentScript(loadAgentScript(), 1).includes('bye'));
  t.notOk(kws.some((k) => /[\u05D0-\u05EA]/.test(k)), 'no Hebrew');
  t.throws(() => new PocketsphinxSttProvider({ keywords: ['שלום'] }), { code: 'PROVIDER_UNAVAILABLE' });
});
