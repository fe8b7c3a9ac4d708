// Human-readable and JSON summaries of a CallResult, for the CLI, gonogo and bench.
import type { CallResult } from './call-result';

export interface CallSummary {
  streamSid: string;
  bytesSent: number;
  bytesReceived: number;
  receivedMs: number;
  bytesPlayed: number;
  firstAudioMs: number | null;
  marksSent: number;
  marksEchoed: number;
  marksClearedBeforePlay: number;
  clears: number;
  gaps: number;
  longestGapMs: number;
  closeCode: number | null;
  closeReason: string;
  protocol: string;
  upgradeStatus: number | null;
  /** The start of a refused upgrade's body: often says which proxy or framework answered. */
  upgradeBody: string | null;
  durationMs: number;
  errors: string[];
}

export function formatTimeline(result: CallResult): string {
  const width = String(Math.max(0, ...result.timeline.map((e) => e.atMs))).length;
  const lines = result.timeline.map((e) => {
    const at = String(e.atMs).padStart(width);
    return `+${at} ms  ${e.event}${e.detail !== undefined ? `  ${e.detail}` : ''}`;
  });
  return lines.join('\n');
}

export function summarize(result: CallResult): CallSummary {
  const echoed = result.marks.filter((m) => m.echoedAtMs !== null);
  return {
    streamSid: result.streamSid,
    bytesSent: result.sentBytes,
    bytesReceived: result.received.byteLength,
    receivedMs: Math.round(result.received.byteLength / 8),
    bytesPlayed: result.played.byteLength,
    firstAudioMs: result.firstAudioMs,
    marksSent: result.marks.length,
    marksEchoed: echoed.length,
    marksClearedBeforePlay: echoed.filter((m) => m.clearedBeforePlay).length,
    clears: result.clears.length,
    gaps: result.gaps.length,
    longestGapMs: Math.round(Math.max(0, ...result.gaps.map((g) => g.ms))),
    closeCode: result.closeCode,
    closeReason: result.closeReason,
    protocol: result.protocol,
    upgradeStatus: result.upgradeStatus ?? null,
    upgradeBody: result.upgradeBody ?? null,
    durationMs: result.durationMs,
    errors: result.errors,
  };
}
