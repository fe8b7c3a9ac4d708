// The WAV path: a WAV file becomes 8 kHz μ-law for a call, and what comes back is saved as a playable μ-law WAV.
import t from 'tap';
import { decodeWav, encodeWav } from '@tva/audio';
import { mulawFromWav, mulawToWav, runCall } from '../src/index';
import { startEchoServer } from './fixtures/servers';

function toneWav16k(ms: number): Uint8Array {
  const samples = new Int16Array((16000 * ms) / 1000);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000));
  return encodeWav(new Uint8Array(samples.buffer), { sampleRate: 16000, format: 'pcm16' });
}

t.test('a 16 kHz PCM WAV becomes 8 kHz μ-law of the same length in time', async (t) => {
  const mulaw = mulawFromWav(toneWav16k(500));
  t.equal(mulaw.byteLength, 4000);
  t.ok(new Set(mulaw).size > 10, 'the tone is not silence');
});

t.test('a file that is not a WAV is a SIM_ERR_BAD_WAV naming the reason', async (t) => {
  t.throws(() => mulawFromWav(new TextEncoder().encode('ID3 this is an mp3')), { code: 'SIM_ERR_BAD_WAV', message: /WAV_ERR_NOT_RIFF/ });
});

t.test('a WAV sent through a call comes back and saves as an 8 kHz μ-law WAV', async (t) => {
  const server = await startEchoServer();
  t.teardown(() => server.close());
  const audio = mulawFromWav(toneWav16k(500));
  const result = await runCall({ url: server.url, audio, trailingSilenceMs: 0 });
  t.same(result.received, audio, 'the echo server returned the same μ-law');
  const saved = decodeWav(mulawToWav(result.received));
  t.equal(saved.sampleRate, 8000);
  t.equal(saved.format, 'mulaw');
  t.equal(saved.channels, 1);
  t.equal(saved.samples.length, 4000);
});
