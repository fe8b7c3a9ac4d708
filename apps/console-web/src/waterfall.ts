// The per-turn latency waterfall: end of speech → STT final → LLM first token → TTS first audio → sent, one SVG row per turn.
import { h, svg } from './dom';
import type { TurnRecord } from '@tva/records/dist/records-types';

/** The streamed path's stages, in order (the TURN line's spans); RECORD turns use their own, in order. */
const STREAM_STAGES: [string, string][] = [
  ['endOfSpeech→sttFinal', 'STT final'],
  ['sttFinal→llmFirstToken', 'LLM first token'],
  ['llmFirstToken→ttsFirstAudio', 'TTS first audio'],
  ['ttsFirstAudio→mediaTx', 'sent'],
];
const RECORD_STAGES: [string, string][] = [
  ['fetchMs', 'recording fetched'],
  ['sttMs', 'STT'],
  ['llmMs', 'LLM'],
  ['ttsMs', 'TTS'],
];
const COLORS = ['#5b8def', '#f2a33a', '#8e6ad8', '#3bb273'];

function stagesOf(turn: TurnRecord): { label: string; key: string; ms: number }[] {
  const table = turn.mode === 'record' ? RECORD_STAGES : STREAM_STAGES;
  return table.flatMap(([key, label]) => {
    const ms = turn.spans[key];
    return typeof ms === 'number' ? [{ key, label, ms }] : [];
  });
}

export function waterfall(turns: TurnRecord[]): HTMLElement {
  const rows = turns.map((t) => ({ turn: t, stages: stagesOf(t) }));
  const total = (r: (typeof rows)[number]): number => r.stages.reduce((a, s) => a + s.ms, 0);
  const max = Math.max(1, ...rows.map(total));
  const W = 720;
  const LABEL = 90;
  const ROW = 26;
  const scale = (ms: number): number => (ms / max) * (W - LABEL - 70);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${rows.length * ROW + 30}`, width: '100%', class: 'waterfall', role: 'img', 'aria-label': 'per-turn latency waterfall' });
  rows.forEach((r, i) => {
    const y = i * ROW + 4;
    chart.append(svg('text', { x: 0, y: y + 15, class: 'axis' }, `turn ${r.turn.turn}${r.turn.mode === 'record' ? ' (R)' : ''}`));
    let x = LABEL;
    r.stages.forEach((s, j) => {
      const w = Math.max(1, scale(s.ms));
      chart.append(svg('rect', { x, y, width: w, height: ROW - 8, fill: COLORS[j % COLORS.length] as string, 'data-span': s.key }, svg('title', {}, `${s.label}: ${Math.round(s.ms)} ms`)));
      x += w;
    });
    const first = r.turn.spans['endOfSpeech→firstAudio'];
    chart.append(svg('text', { x: x + 6, y: y + 15, class: 'axis' }, `${Math.round(typeof first === 'number' ? first : total(r))} ms`));
  });
  const legendY = rows.length * ROW + 22;
  let lx = LABEL;
  STREAM_STAGES.forEach(([, label], j) => {
    chart.append(svg('rect', { x: lx, y: legendY - 9, width: 10, height: 10, fill: COLORS[j] as string }), svg('text', { x: lx + 14, y: legendY, class: 'axis' }, `→ ${label}`));
    lx += 140;
  });
  return h('figure', { class: 'card', id: 'waterfall' }, h('figcaption', {}, 'Latency per turn: end of speech → STT final → LLM first token → TTS first audio → sent'), rows.length ? chart : h('p', { class: 'muted' }, 'No turns yet.'));
}
