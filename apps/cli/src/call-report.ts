// `npm run call`'s readable report: the timeline with runs of echoed marks folded into one line, then the figures that matter.
import type { CallResult, CallSummary, TimelineEntry } from '@tva/call-simulator';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A clear's detail names every mark it released; the report gives how many and the first and last. */
function shortDetail(e: TimelineEntry): string {
  const names = e.event === 'clear' && e.detail?.startsWith('released ') ? e.detail.slice('released '.length).split(', ') : undefined;
  if (!names || names.length <= 3) return e.detail ?? '';
  return `released ${names.length} marks (${names[0]} … ${names[names.length - 1]})`;
}

/** Consecutive mark echoes (one per 20–100 ms chunk of agent audio) become one line: "marks echoed ×N (first … last)". */
export function foldTimeline(timeline: readonly TimelineEntry[]): string[] {
  const width = String(Math.max(0, ...timeline.map((e) => e.atMs))).length;
  const at = (ms: number) => `+${String(ms).padStart(width)} ms`;
  const out: string[] = [];
  for (let i = 0; i < timeline.length; i++) {
    const e = timeline[i] as TimelineEntry;
    if (e.event !== 'mark-echoed') {
      out.push(`${at(e.atMs)}  ${e.event}${e.detail !== undefined ? `  ${shortDetail(e)}` : ''}`);
      continue;
    }
    let j = i;
    while (j + 1 < timeline.length && (timeline[j + 1] as TimelineEntry).event === 'mark-echoed') j += 1;
    const run = timeline.slice(i, j + 1);
    const cleared = run.filter((m) => m.detail?.endsWith('(cleared)')).length;
    const last = run[run.length - 1] as TimelineEntry;
    const names = run.length === 1 ? (e.detail ?? '') : `${e.detail ?? ''} … ${last.detail ?? ''}`;
    out.push(`${at(e.atMs)}  marks echoed ×${run.length}${cleared ? ` (${cleared} released by a clear)` : ''}  until +${last.atMs} ms  ${names}`.trimEnd());
    i = j;
  }
  return out;
}

/** The whole report: where the call went, the folded timeline, and one line each for audio, marks, gaps and the end. */
export function formatCallReport(url: string, result: CallResult, summary: CallSummary): string {
  const startAt = result.timeline.find((e) => e.event === 'start')?.atMs;
  const firstAudio =
    summary.firstAudioMs === null ? 'no audio came back' : `first audio ${Math.round(summary.firstAudioMs - (startAt ?? 0))} ms after start`;
  const lines = [
    `call to ${url}${summary.streamSid ? `  (stream ${summary.streamSid})` : ''}`,
    ...foldTimeline(result.timeline).map((l) => `  ${l}`),
    `audio   received ${seconds(summary.receivedMs)}, played ${seconds(summary.bytesPlayed / 8)}; ${firstAudio}`,
    `marks   ${summary.marksSent} sent, ${summary.marksEchoed} echoed (${summary.marksClearedBeforePlay} released by a clear); clears ${summary.clears}`,
    `gaps    ${summary.gaps}${summary.gaps ? ` (longest ${summary.longestGapMs} ms)` : ''}`,
    `end     ${summary.closeCode === null ? 'not closed' : `close ${summary.closeCode}${summary.closeReason ? ` ${summary.closeReason}` : ''}`} after ${seconds(summary.durationMs)}${summary.upgradeStatus !== null ? `; upgrade refused with HTTP ${summary.upgradeStatus}` : ''}`,
    `errors  ${summary.errors.length ? summary.errors.join('; ') : 'none'}`,
  ];
  return lines.join('\n');
}
