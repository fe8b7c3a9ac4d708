// Simple SVG charts for the overview: bars per time bucket and lines (p50/p95), with hour labels.
import { h, svg } from './dom';

export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
}

const W = 560;
const H = 180;
const PAD = { l: 62, r: 8, t: 10, b: 24 };

function frame(title: string, times: number[], max: number, unit: string): { el: HTMLElement; chart: SVGElement; x: (i: number) => number; y: (v: number) => number; bw: number } {
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', class: 'chart', role: 'img', 'aria-label': title });
  const n = Math.max(1, times.length);
  const bw = (W - PAD.l - PAD.r) / n;
  const x = (i: number): number => PAD.l + i * bw;
  const y = (v: number): number => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  for (const f of [0, 0.5, 1]) {
    const v = max * f;
    chart.append(svg('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'gridline' }), svg('text', { x: PAD.l - 4, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`));
  }
  const every = Math.max(1, Math.ceil(n / 8));
  times.forEach((t, i) => {
    if (i % every === 0) chart.append(svg('text', { x: x(i) + bw / 2, y: H - 6, class: 'axis', 'text-anchor': 'middle' }, new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })));
  });
  const el = h('figure', { class: 'card chart-card' }, h('figcaption', {}, title), chart);
  return { el, chart, x, y, bw };
}

function legend(series: Series[]): HTMLElement {
  return h('div', { class: 'legend' }, ...series.map((s) => h('span', {}, h('i', { style: `background:${s.color}` }), s.label)));
}

export function barChart(title: string, times: number[], series: Series[], unit = ''): HTMLElement {
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const f = frame(title, times, niceMax(max), unit);
  const groupW = f.bw * 0.8;
  const w = groupW / series.length;
  series.forEach((s, k) =>
    s.values.forEach((v, i) => {
      if (!v) return;
      f.chart.append(svg('rect', { x: f.x(i) + f.bw * 0.1 + k * w, y: f.y(v), width: Math.max(1, w - 1), height: f.y(0) - f.y(v), fill: s.color }, svg('title', {}, `${s.label}: ${v}`)));
    }),
  );
  if (series.length > 1) f.el.append(legend(series));
  return f.el;
}

export function lineChart(title: string, times: number[], series: Series[], unit = ''): HTMLElement {
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const f = frame(title, times, niceMax(max), unit);
  for (const s of series) {
    let d = '';
    s.values.forEach((v, i) => {
      if (v == null) return;
      const px = f.x(i) + f.bw / 2;
      d += `${d && s.values[i - 1] != null ? 'L' : 'M'}${px.toFixed(1)},${f.y(v).toFixed(1)}`;
      f.chart.append(svg('circle', { cx: px, cy: f.y(v), r: 2.5, fill: s.color }, svg('title', {}, `${s.label}: ${Math.round(v)}${unit}`)));
    });
    if (d) f.chart.append(svg('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2 }));
  }
  f.el.append(legend(series));
  return f.el;
}

function niceMax(v: number): number {
  // why: counts are whole numbers; a max of 2 keeps the middle gridline on an integer.
  if (v <= 2) return 2;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
