// Captures the microphone and turns it into 20 ms frames of 8 kHz μ-law (anti-aliased by packages/audio's resampler).
import { encodeMulaw } from '@tva/audio/dist/mulaw.js';
import { FRAME_BYTES, SAMPLE_RATE } from '@tva/audio/dist/framing.js';
import { StreamResampler } from './stream-resampler';

/** 1024 samples is 21 ms at 48 kHz: about one Media Streams frame per callback, so frames leave at Twilio's pace. */
const BUFFER_SIZE = 1024;

export interface MicCapture {
  /** The context's rate (what the resampler converts from). */
  sampleRate: number;
  stop(): void;
}

/**
 * why ScriptProcessorNode rather than an AudioWorklet: a worklet must be loaded from a module URL, and the console's
 * Content-Security-Policy allows scripts from our own bundle only (no blob:); a 1024-sample ScriptProcessor costs a
 * main-thread callback every 21 ms, which the page can afford. Echo cancellation stays on, so the agent's voice from
 * the speakers does not count as the caller barging in.
 */
export async function startMicCapture(ctx: AudioContext, onFrame: (mulaw: Uint8Array) => void): Promise<MicCapture> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const source = ctx.createMediaStreamSource(stream);
  const processor = ctx.createScriptProcessor(BUFFER_SIZE, 1, 1);
  // why: Chromium only runs a ScriptProcessor that is connected to the destination; a muted gain keeps it silent.
  const mute = ctx.createGain();
  mute.gain.value = 0;
  const resampler = new StreamResampler(ctx.sampleRate, SAMPLE_RATE);
  const frame = new Uint8Array(FRAME_BYTES);
  let filled = 0;
  processor.onaudioprocess = (ev) => {
    const input = ev.inputBuffer.getChannelData(0);
    const pcm = new Int16Array(input.length);
    for (let i = 0; i < input.length; i++) {
      const v = Math.round((input[i] as number) * 32767);
      pcm[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    const mulaw = encodeMulaw(resampler.push(pcm));
    for (let at = 0; at < mulaw.length; ) {
      const n = Math.min(FRAME_BYTES - filled, mulaw.length - at);
      frame.set(mulaw.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === FRAME_BYTES) {
        onFrame(frame.slice());
        filled = 0;
      }
    }
  };
  source.connect(processor);
  processor.connect(mute);
  mute.connect(ctx.destination);
  return {
    sampleRate: ctx.sampleRate,
    stop() {
      processor.onaudioprocess = null;
      source.disconnect();
      processor.disconnect();
      mute.disconnect();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
