// The record of one simulated call: timeline entries, marks, gaps and the final result shape.

export type TimelineEvent =
  | 'open'
  | 'connected'
  | 'start'
  | 'first-audio'
  | 'mark-echoed'
  | 'clear'
  | 'gap'
  | 'dtmf'
  | 'stop'
  | 'upgrade-refused'
  | 'error'
  | 'close';

export interface TimelineEntry {
  /** Milliseconds since the connection attempt began. */
  atMs: number;
  event: TimelineEvent;
  detail?: string;
}

export interface MarkRecord {
  name: string;
  /** When the server's mark arrived. */
  sentAtMs: number;
  /** When the simulator echoed it back; null if the call ended first. */
  echoedAtMs: number | null;
  /** True when a clear released it: the echo does not prove the audio was heard. */
  clearedBeforePlay: boolean;
}

/** Audible silence between pieces of received audio, measured against real-time playback. */
export interface Gap {
  /** When the playback ran dry. */
  atMs: number;
  ms: number;
}

export interface CallResult {
  streamSid: string;
  callSid: string;
  /** Every μ-law byte the server sent. */
  received: Uint8Array;
  /** What the playback model actually played (received minus what a clear dropped or the end cut). */
  played: Uint8Array;
  /** μ-law bytes the simulator sent as the caller. */
  sentBytes: number;
  marks: MarkRecord[];
  /** Times (ms) of each clear. */
  clears: number[];
  firstAudioMs: number | null;
  gaps: Gap[];
  timeline: TimelineEntry[];
  closeCode: number | null;
  closeReason: string;
  /** The negotiated subprotocol ('' when none). */
  protocol: string;
  upgradeStatus?: number;
  upgradeBody?: string;
  durationMs: number;
  errors: string[];
}

/** Gaps shorter than this are jitter, not silence. */
export const GAP_THRESHOLD_MS = 100;
