// Public API of @tva/call-simulator: plays Twilio over a WebSocket for tests, gonogo and bench.
export { PlaybackBuffer, BYTES_PER_MS, MAX_BUFFERED_BYTES, concat, type AdvanceResult } from './playback-buffer';
export { SimulatedCall, newSid, type ConnectOptions } from './simulated-call';
export { runCall, type RunCallOptions } from './run-call';
export { formatTimeline, summarize, type CallSummary } from './format-timeline';
export {
  GAP_THRESHOLD_MS,
  type CallResult,
  type MarkRecord,
  type Gap,
  type TimelineEntry,
  type TimelineEvent,
} from './call-result';
export { CallRecorder, type RecorderHooks } from './call-recorder';
export { GapTracker } from './gap-tracker';
export { FramePacer } from './frame-pacer';
export { resolveStreamUrl, DEFAULT_STREAM_PATH } from './resolve-stream-url';
export { mulawFromWav, mulawToWav } from './wav-audio';
export { SimulatorError, SIMULATOR_ERRORS, type SimulatorErrorCode } from './simulator-error';
export { parseTwiml, type TwimlVerb, type TwimlVerbName } from './parse-twiml';
