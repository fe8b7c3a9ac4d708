// One whole scripted call: connect, send the audio, dtmf and trailing silence, hang up, and return the record. Never hangs.
import { SimulatedCall, type ConnectOptions } from './simulated-call';
import type { CallResult } from './call-result';
import { SimulatorError } from './simulator-error';

export interface RunCallOptions extends ConnectOptions {
  /** 8 kHz μ-law the caller says, sent in real time. */
  audio?: Uint8Array;
  /** Digits pressed after the audio. */
  dtmf?: string[];
  /** Silence after the audio, while the server answers. Default 3000. */
  trailingSilenceMs?: number;
  /** Hard deadline for the whole call; the socket is terminated when it passes. */
  maxDurationMs?: number;
  /** Send stop and close at the end (default); false waits for the server to close, up to the deadline. */
  stopAtEnd?: boolean;
  /** Called once the call is open, to attach listeners or act during the call. */
  onOpen?: (call: SimulatedCall) => void;
}

const DTMF_SPACING_MS = 100;
/** Slack over the scripted length before the deadline fires: connection, server answer, close handshake. */
const DEADLINE_SLACK_MS = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runCall(opts: RunCallOptions): Promise<CallResult> {
  const audio = opts.audio ?? new Uint8Array(0);
  const dtmf = opts.dtmf ?? [];
  const trailingSilenceMs = opts.trailingSilenceMs ?? 3000;
  const scriptedMs = audio.byteLength / 8 + dtmf.length * DTMF_SPACING_MS + trailingSilenceMs;
  const maxDurationMs = opts.maxDurationMs ?? scriptedMs + (opts.connectTimeoutMs ?? 5000) + DEADLINE_SLACK_MS;

  const call = new SimulatedCall(opts);
  let deadlineHit = false;
  const deadline = setTimeout(() => {
    deadlineHit = true;
    call.recorder.error(`SIM_ERR_DEADLINE: terminated after ${maxDurationMs} ms`);
    call.terminate();
  }, maxDurationMs);

  let opened = false;
  try {
    await call.ready();
    opened = true;
    opts.onOpen?.(call);
    if (audio.byteLength > 0) await call.sendAudio(audio);
    for (const digit of dtmf) {
      if (!call.isOpen) break;
      call.sendDtmf(digit);
      await sleep(DTMF_SPACING_MS);
    }
    if (trailingSilenceMs > 0 && call.isOpen) await call.sendSilence(trailingSilenceMs);
    if (opts.stopAtEnd ?? true) await call.stop();
    else await call.closed();
  } catch (err) {
    // A server closing mid-script is a result (see closeCode), not an error; a failed connection is already recorded.
    const closedMidCall = err instanceof SimulatorError && err.code === 'SIM_ERR_CLOSED';
    const recorded = !opened && call.recorder.errors.length > 0;
    if (!closedMidCall && !recorded && !deadlineHit) call.recorder.error(err instanceof Error ? err.message : String(err));
    call.terminate();
  } finally {
    await call.closed();
    clearTimeout(deadline);
  }
  return call.result();
}
