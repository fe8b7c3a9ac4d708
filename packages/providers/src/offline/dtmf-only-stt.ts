// The always-available STT floor: hears no words (callers use the keypad), never fails.

import type { SttProvider, SttResult, SttSession, SttSessionEvents } from '../contracts';

export const DTMF_ONLY_STT = 'dtmf-only-stt';

/**
 * Recognizes nothing from speech: with no cloud recognizer the agent is driven by DTMF (`[DTMF n]`)
 * turns. Sessions accept and drop audio, flush at once, emit no events and hold no resources.
 */
export class DtmfOnlySttProvider implements SttProvider {
  readonly name = DTMF_ONLY_STT;

  async start(_events: SttSessionEvents, _signal: AbortSignal): Promise<SttSession> {
    return {
      write: () => undefined,
      flush: async () => undefined,
      close: async () => undefined,
    };
  }

  async recognizeFile(_audio: Uint8Array, _signal: AbortSignal): Promise<SttResult> {
    return { text: '' };
  }
}
