// The WebRTC VAD (libfvad compiled to WASM, @echogarden/fvad-wasm) behind the Vad contract, for 8 kHz frames.

import type { FvadModule } from '@echogarden/fvad-wasm';
import { AudioError } from './audio-error';
import { VAD_FRAME_SAMPLES, VAD_SAMPLE_RATE, assertVadFrame, closedError, type Vad } from './vad';

export interface WebRtcVadOptions {
  /** Aggressiveness: 0 flags the most as speech, 3 the least (fewest false positives on noise). Default 3. */
  mode?: 0 | 1 | 2 | 3;
}

/** One WASM instance shared by every VAD; each VAD gets its own detector state and frame buffer in its heap. */
let loading: Promise<FvadModule> | undefined;

function loadFvad(): Promise<FvadModule> {
  // The package is ESM-only; module node16 keeps this import() real in the CommonJS output.
  // It reads fvad.wasm from its own package directory; nothing is fetched.
  loading ??= import('@echogarden/fvad-wasm').then((m) => m.default()).catch((err: unknown) => {
    loading = undefined;
    throw new AudioError('VAD_ERR_INIT', `could not load @echogarden/fvad-wasm: ${String(err)}`, { cause: err });
  });
  return loading;
}

export async function createWebRtcVad(opts: WebRtcVadOptions = {}): Promise<Vad> {
  const mode = opts.mode ?? 3;
  if (![0, 1, 2, 3].includes(mode)) {
    throw new AudioError('AUDIO_ERR_INVALID_ARGUMENT', `mode must be 0, 1, 2 or 3, got ${String(mode)}`);
  }
  const fvad = await loadFvad();
  const inst = fvad._fvad_new();
  if (!inst) throw new AudioError('VAD_ERR_INIT', 'fvad_new failed (out of WASM memory)');
  if (fvad._fvad_set_sample_rate(inst, VAD_SAMPLE_RATE) !== 0 || fvad._fvad_set_mode(inst, mode) !== 0) {
    fvad._fvad_free(inst);
    throw new AudioError('VAD_ERR_INIT', 'fvad rejected the sample rate or mode');
  }
  const maxSamples = Math.max(...VAD_FRAME_SAMPLES);
  const ptr = fvad._malloc(maxSamples * 2);
  if (!ptr) {
    fvad._fvad_free(inst);
    throw new AudioError('VAD_ERR_INIT', 'malloc failed (out of WASM memory)');
  }
  let closed = false;

  return {
    isSpeech(frame: Int16Array): boolean {
      if (closed) throw closedError();
      assertVadFrame(frame);
      fvad.HEAP16.set(frame, ptr >> 1);
      const result = fvad._fvad_process(inst, ptr, frame.length);
      if (result < 0) throw new AudioError('VAD_ERR_FRAME_LENGTH', `fvad rejected a frame of ${frame.length} samples`);
      return result === 1;
    },
    close(): void {
      if (closed) return;
      closed = true;
      fvad._free(ptr);
      fvad._fvad_free(inst);
    },
  };
}
