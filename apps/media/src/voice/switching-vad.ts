// A Vad usable at once: energy-based until the WebRTC VAD (async WASM load) is ready, then WebRTC.
import { createEnergyVad, createWebRtcVad, type AudioErrorCode, type Vad } from '@tva/audio';
import { EVENTS, type Logger } from '@tva/logging';

export function switchingVad(mode: 0 | 1 | 2 | 3, log: Logger): Vad {
  let current: Vad = createEnergyVad();
  let closed = false;
  createWebRtcVad({ mode }).then(
    (webrtc) => {
      if (closed) webrtc.close();
      else current = webrtc;
    },
    (err: Error) => log.warn({ event: EVENTS.VAD, code: 'VAD_ERR_INIT' satisfies AudioErrorCode, err: err.message }, 'WebRTC VAD unavailable; using the energy VAD'),
  );
  return {
    isSpeech: (frame) => current.isSpeech(frame),
    close: () => {
      closed = true;
      current.close();
    },
  };
}
