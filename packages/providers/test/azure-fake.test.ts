// The fake Azure Speech service itself: wire framing, fault switches, and the SDK's region-style v2 path.
import t from 'tap';
import * as sdk from 'microsoft-cognitiveservices-speech-sdk';
import { startFakeAzureSpeech, speechLikeMulaw, silenceMulaw } from '../src/fakes/azure-speech';
import { binaryFrame, parseWireMessage, textFrame } from '../src/fakes/azure-speech/wire-message';
import { ssmlText } from '../src/fakes/azure-speech/fake-tts-connection';

t.test('frames round-trip through the parser', async (t) => {
  const text = parseWireMessage(Buffer.from(textFrame('turn.end', 'ABC', { a: 'שלום' })), false);
  t.match(text, { path: 'turn.end', requestId: 'ABC', body: '{"a":"שלום"}' });
  const bin = parseWireMessage(binaryFrame('audio', 'ABC', new Uint8Array([1, 2, 3]), { 'X-StreamId': 'S1' }), true);
  t.match(bin, { path: 'audio', requestId: 'ABC', headers: { 'x-streamid': 'S1' } });
  t.same([...(bin?.body as Buffer)], [1, 2, 3]);
  t.equal(parseWireMessage(Buffer.from([0]), true), undefined, 'too short');
  t.equal(parseWireMessage(Buffer.from([0, 9, 65]), true), undefined, 'header longer than the frame');
});

t.test('ssmlText strips tags and decodes the XML entities', async (t) => {
  t.equal(ssmlText(`<speak xml:lang="he-IL"><voice name="x">א &amp; ב &lt;ג&gt; &quot;ד&quot; &apos;ה&apos;</voice></speak>`), `א & ב <ג> "ד" 'ה'`);
});

t.test('unknown paths get 404; failNext hits one connection of its kind', async (t) => {
  const fake = await startFakeAzureSpeech();
  t.teardown(() => fake.close());
  const res = await fetch(`http://127.0.0.1:${fake.port}/nope`);
  t.equal(res.status, 404);
  fake.failNext({ failAuth: true }, 'tts');
  const config = sdk.SpeechConfig.fromHost(new URL(fake.url), 'k');
  config.speechSynthesisOutputFormat = sdk.SpeechSynthesisOutputFormat.Raw8Khz8BitMonoMULaw;
  const speak = () => new Promise<sdk.SpeechSynthesisResult>((resolve) => {
    const synth = new sdk.SpeechSynthesizer(config, null);
    synth.speakTextAsync('hi', (r) => synth.close(() => resolve(r)), () => synth.close());
  });
  t.equal((await speak()).reason, sdk.ResultReason.Canceled, 'first: refused');
  t.equal((await speak()).reason, sdk.ResultReason.SynthesizingAudioCompleted, 'second: served');
  t.equal(fake.ttsConnections, 2);
  t.equal(fake.ttsTurns[0]?.text, 'hi');
});

t.test('the SDK on /stt/speech/universal/v2 (what a region uses with continuous language id) is served', async (t) => {
  const fake = await startFakeAzureSpeech({ transcripts: [{ text: 'hello', language: 'en-US' }] });
  t.teardown(() => fake.close());
  const config = sdk.SpeechConfig.fromHost(new URL(fake.url), 'k');
  config.setProperty(sdk.PropertyId.SpeechServiceConnection_RecognitionEndpointVersion, '2');
  const push = sdk.AudioInputStream.createPushStream(sdk.AudioStreamFormat.getWaveFormat(8000, 8, 1, sdk.AudioFormatTag.MuLaw));
  const auto = sdk.AutoDetectSourceLanguageConfig.fromLanguages(['he-IL', 'en-US']);
  auto.mode = sdk.LanguageIdMode.Continuous;
  const reco = sdk.SpeechRecognizer.FromConfig(config, auto, sdk.AudioConfig.fromStreamInput(push));
  t.teardown(() => new Promise<void>((resolve) => reco.close(resolve, () => resolve())));
  const final = new Promise<sdk.SpeechRecognitionResult>((resolve) => {
    reco.recognized = (_s, e) => resolve(e.result);
  });
  reco.startContinuousRecognitionAsync();
  push.write(new Uint8Array(Buffer.concat([speechLikeMulaw(400), silenceMulaw(700)])).buffer);
  const result = await final;
  t.match(fake.upgradeUrls[0], /^\/stt\/speech\/universal\/v2\?/);
  t.equal(result.text, 'hello');
  t.equal(sdk.AutoDetectSourceLanguageResult.fromResult(result).language, 'en-US');
});
