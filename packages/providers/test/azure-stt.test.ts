// The real Azure Speech SDK, through AzureSttProvider, against the fake Azure Speech service.
import t, { type Test } from 'tap';
import { encodeWav, pcm16ToBytes, resample, decodeMulaw } from '@tva/audio';
import { ProviderError, type SttResult, type SttSession } from '../src/contracts';
import { AzureSttProvider, type AzureSttOptions } from '../src/azure';
import { startFakeAzureSpeech, speechLikeMulaw, silenceMulaw, type FakeAzureSpeech, type FakeAzureSpeechOptions } from '../src/fakes/azure-speech';

const HEBREW_1 = 'שלום, אני רוצה לקבוע תור למחר';
const HEBREW_2 = 'תודה רבה';

interface Recorded {
  partials: SttResult[];
  finals: SttResult[];
  errors: ProviderError[];
  speechStarts: number;
}

async function setup(t: Test, fakeOpts: FakeAzureSpeechOptions, sttOpts: Partial<AzureSttOptions> = {}) {
  const fake = await startFakeAzureSpeech(fakeOpts);
  t.teardown(() => fake.close());
  const stt = new AzureSttProvider({ key: 'test-key', host: fake.url, segmentationSilenceMs: 300, initialConnectTimeoutMs: 2000, ...sttOpts });
  return { fake, stt };
}

async function startRecording(t: Test, stt: AzureSttProvider, signal = new AbortController().signal) {
  const rec: Recorded = { partials: [], finals: [], errors: [], speechStarts: 0 };
  const session = await stt.start({
    onPartial: (r) => rec.partials.push(r),
    onFinal: (r) => rec.finals.push(r),
    onError: (e) => rec.errors.push(e),
    onSpeechStart: () => (rec.speechStarts += 1),
  }, signal);
  t.teardown(() => session.close());
  return { session, rec };
}

/** Writes audio the way the media worker does: 20 ms frames (unpaced; the fake keeps audio time). */
function writeFrames(session: SttSession, audio: Uint8Array): void {
  for (let at = 0; at < audio.length; at += 160) session.write(audio.subarray(at, at + 160));
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

t.test('Hebrew speech gives growing partials, then the scripted finals, in he-IL', async (t) => {
  const { fake, stt } = await setup(t, { transcripts: [HEBREW_1, HEBREW_2] });
  const { session, rec } = await startRecording(t, stt);
  writeFrames(session, concat(silenceMulaw(200), speechLikeMulaw(900), silenceMulaw(500), speechLikeMulaw(400), silenceMulaw(500)));
  await waitFor('two finals', () => rec.finals.length === 2);
  t.same(rec.finals, [{ text: HEBREW_1, language: 'he-IL' }, { text: HEBREW_2, language: 'he-IL' }]);
  t.ok(rec.partials.length >= 3, `partials: ${rec.partials.length}`);
  t.equal(rec.partials[0]?.text, 'שלום,');
  t.ok(rec.partials.every((p) => HEBREW_1.startsWith(p.text) || HEBREW_2.startsWith(p.text)), 'partials are prefixes of the finals');
  t.equal(rec.speechStarts, 1, 'the service reports speech start once per turn');
  t.same(rec.errors, []);
  t.match(fake.upgradeUrls[0], /^\/speech\/recognition\/conversation\/cognitiveservices\/v1\?language=he-IL/);
  t.match(fake.speechContexts[0], { phraseDetection: { language: 'he-IL', conversation: { segmentation: { segmentationSilenceTimeoutMs: 300 } } } });
  await session.close();
  await waitFor('the socket to close', () => fake.openConnections === 0);
  t.equal(fake.audioBytesReceived, 2500 * 8, 'μ-law bytes reach the service unchanged');
});

t.test('two languages: auto-detection reports the language of each phrase', async (t) => {
  const { fake, stt } = await setup(t, {
    transcripts: [{ text: 'I would like an appointment', language: 'en-US' }, { text: HEBREW_2, language: 'he-IL' }],
  }, { languages: ['he-IL', 'en-US'] });
  const { session, rec } = await startRecording(t, stt);
  writeFrames(session, concat(speechLikeMulaw(600), silenceMulaw(400), speechLikeMulaw(400), silenceMulaw(400)));
  await waitFor('two finals', () => rec.finals.length === 2);
  t.same(rec.finals, [{ text: 'I would like an appointment', language: 'en-US' }, { text: HEBREW_2, language: 'he-IL' }]);
  t.equal(rec.partials[0]?.language, 'en-US');
  t.match(fake.upgradeUrls[0], /lidEnabled=true/);
  t.match(fake.speechContexts[0], { languageId: { languages: ['he-IL', 'en-US'], mode: 'DetectContinuous' } });
});

t.test('flush resolves once the pending phrase is final, and at once when nothing is pending', async (t) => {
  const { stt } = await setup(t, { transcripts: [HEBREW_1] });
  const { session, rec } = await startRecording(t, stt);
  const idle = performance.now();
  await session.flush();
  t.ok(performance.now() - idle < 50, 'nothing pending: immediate');
  writeFrames(session, concat(speechLikeMulaw(600), silenceMulaw(100)));
  await waitFor('a partial', () => rec.partials.length > 0);
  const flushed = session.flush();
  setTimeout(() => writeFrames(session, silenceMulaw(400)), 50); // the caller's audio goes on
  await flushed;
  t.same(rec.finals, [{ text: HEBREW_1, language: 'he-IL' }], 'the final is out when flush resolves');
});

t.test('a refused key is PROVIDER_AUTH, not retried', async (t) => {
  const { fake, stt } = await setup(t, { faults: { failAuth: true } });
  const err = await stt.start({}, new AbortController().signal).catch((e: unknown) => e);
  t.type(err, ProviderError);
  t.match(err, { code: 'PROVIDER_AUTH', providerCode: 401, retryable: false, provider: 'azure-stt' });
  t.equal(fake.sttConnections, 1, 'one upgrade, no SDK retries');

  const keyed = await setup(t, { expectedKey: 'right-key' }, { key: 'wrong-key' });
  await t.rejects(keyed.stt.start({}, new AbortController().signal), { code: 'PROVIDER_AUTH', providerCode: 401 });
});

t.test('a dropped socket mid-session is onError PROVIDER_CONNECTION, and close still returns', async (t) => {
  const { fake, stt } = await setup(t, { transcripts: [HEBREW_1] });
  fake.failNext({ dropAfterMs: 150 }, 'stt');
  const { session, rec } = await startRecording(t, stt);
  writeFrames(session, speechLikeMulaw(300));
  await waitFor('an error', () => rec.errors.length > 0, 3000);
  t.match(rec.errors[0], { code: 'PROVIDER_CONNECTION', retryable: true, providerCode: 'ConnectionFailure' });
  t.equal(rec.errors.length, 1);
  session.write(speechLikeMulaw(100)); // never throws after the end
  const closing = performance.now();
  await session.close();
  t.ok(performance.now() - closing < 1000, 'close does not hang');
  t.equal(fake.sttConnections, 1, 'the SDK did not silently reconnect');
});

t.test('with sdkReconnect the SDK rides over a dropped socket and the phrase still arrives', async (t) => {
  const { fake, stt } = await setup(t, { transcripts: [HEBREW_1] }, { sdkReconnect: true });
  fake.failNext({ dropAfterMs: 100 }, 'stt');
  const { session, rec } = await startRecording(t, stt);
  writeFrames(session, speechLikeMulaw(300));
  // the fake drops the first socket 100 ms in; the rest of the phrase is written once the SDK has reconnected
  await waitFor('the SDK to reconnect after the drop', () => fake.sttConnections === 2, 3000);
  writeFrames(session, concat(speechLikeMulaw(300), silenceMulaw(500)));
  await waitFor('a final', () => rec.finals.length > 0);
  t.same(rec.errors, []);
  t.equal(rec.finals[0]?.text, HEBREW_1);
  t.equal(fake.sttConnections, 2, 'one silent reconnect');
});

t.test('a server that never answers the upgrade: start rejects with PROVIDER_TIMEOUT', async (t) => {
  const { stt } = await setup(t, { faults: { hang: 'upgrade' } }, { initialConnectTimeoutMs: 300 });
  const began = performance.now();
  await t.rejects(stt.start({}, new AbortController().signal), { code: 'PROVIDER_TIMEOUT', retryable: true });
  const took = performance.now() - began;
  t.ok(took >= 280 && took < 1000, `rejected after ${Math.round(took)} ms`);
});

t.test('an open socket that never answers the audio: onError PROVIDER_TIMEOUT', async (t) => {
  const { stt } = await setup(t, { faults: { hang: 'open' } }, { responseTimeoutMs: 300 });
  const { session, rec } = await startRecording(t, stt);
  const began = performance.now();
  writeFrames(session, speechLikeMulaw(200));
  await waitFor('an error', () => rec.errors.length > 0, 2000);
  t.match(rec.errors[0], { code: 'PROVIDER_TIMEOUT', retryable: true });
  t.ok(performance.now() - began < 1000);
});

t.test('a phrase with RecognitionStatus Error ends the session with onError', async (t) => {
  const { stt } = await setup(t, { transcripts: [HEBREW_1], faults: { errorPhrase: true } });
  const { session, rec } = await startRecording(t, stt);
  writeFrames(session, concat(speechLikeMulaw(400), silenceMulaw(400)));
  await waitFor('an error', () => rec.errors.length > 0);
  t.match(rec.errors[0], { code: 'PROVIDER_BAD_RESPONSE', providerCode: 'ServiceError' });
  t.same(rec.finals, []);
});

t.test('the AbortSignal closes the session; an aborted start rejects', async (t) => {
  const { fake, stt } = await setup(t, { transcripts: [HEBREW_1] });
  const ac = new AbortController();
  const { session, rec } = await startRecording(t, stt, ac.signal);
  writeFrames(session, speechLikeMulaw(300));
  await waitFor('a partial', () => rec.partials.length > 0);
  ac.abort();
  await waitFor('the socket to close', () => fake.openConnections === 0, 2000);
  writeFrames(session, silenceMulaw(500));
  // why: proves a final does NOT arrive after the abort; "nothing happened" has no event, so a window it is.
  await new Promise((r) => setTimeout(r, 100));
  t.same(rec.finals, [], 'nothing delivered after the abort');
  await session.close(); // idempotent

  await t.rejects(stt.start({}, AbortSignal.abort()), { code: 'PROVIDER_ABORTED' });
});

t.test('recognizeFile joins the finals of a μ-law WAV and of a 16 kHz PCM WAV', async (t) => {
  const { fake, stt } = await setup(t, { transcripts: [HEBREW_1, HEBREW_2, 'שלוש'] });
  const mulaw = concat(speechLikeMulaw(600), silenceMulaw(500), speechLikeMulaw(400));
  const wav = encodeWav(mulaw, { sampleRate: 8000, format: 'mulaw' });
  t.same(await stt.recognizeFile(wav, new AbortController().signal), { text: `${HEBREW_1} ${HEBREW_2}`, language: 'he-IL' });
  t.equal(fake.audioBytesReceived, mulaw.length, 'μ-law sent as μ-law');

  const pcm16k = resample(decodeMulaw(speechLikeMulaw(500)), 8000, 16000);
  const pcmWav = encodeWav(pcm16ToBytes(pcm16k), { sampleRate: 16000, format: 'pcm16' });
  t.same(await stt.recognizeFile(pcmWav, new AbortController().signal), { text: 'שלוש', language: 'he-IL' });

  await t.rejects(stt.recognizeFile(new Uint8Array([1, 2, 3]), new AbortController().signal), { code: 'PROVIDER_BAD_RESPONSE' });
});

t.test('recognizeFile with the fake in end-of-stream mode, and a 401', async (t) => {
  const { stt } = await setup(t, { transcripts: [HEBREW_2], stt: { mode: 'end-of-stream' } });
  const wav = encodeWav(silenceMulaw(300), { sampleRate: 8000, format: 'mulaw' });
  t.same(await stt.recognizeFile(wav, new AbortController().signal), { text: HEBREW_2, language: 'he-IL' });

  const refused = await setup(t, { faults: { failAuth: 403 } });
  await t.rejects(refused.stt.recognizeFile(wav, new AbortController().signal), { code: 'PROVIDER_AUTH', providerCode: 403 });
});
