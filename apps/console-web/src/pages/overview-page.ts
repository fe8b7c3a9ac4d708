// Overview: calls per hour, turn latency p50/p95 over time, fallbacks and provider errors per hour (last 24 h or 7 days).
import { h } from '../dom';
import { getOverview } from '../api';
import { barChart, lineChart } from '../charts';
import { registerPage } from './registry';

registerPage({
  path: 'overview',
  title: 'Overview',
  nav: 3,
  async render({ root }) {
    const hours = new URLSearchParams(location.search).get('range') === '7d' ? 168 : 24;
    const { buckets } = await getOverview(hours);
    const times = buckets.map((b) => b.at);
    const sum = (f: (b: (typeof buckets)[number]) => number): number => buckets.reduce((a, b) => a + f(b), 0);
    root.append(
      h('div', { class: 'title-row' }, h('h1', {}, 'Overview'), h('span', { class: 'muted' }, h('a', { href: '?range=24h', class: hours === 24 ? 'active' : undefined }, 'last 24 h'), ' · ', h('a', { href: '?range=7d', class: hours === 168 ? 'active' : undefined }, '7 days'))),
      h(
        'div',
        { class: 'totals' },
        ...[
          ['calls', sum((b) => b.calls)],
          ['turns', sum((b) => b.turns)],
          ['fallbacks', sum((b) => b.fallbacks)],
          ['provider errors', sum((b) => b.providerErrors)],
          ['errors', sum((b) => b.errors)],
        ].map(([k, v]) => h('div', { class: 'card total' }, h('b', {}, v), h('span', {}, k))),
      ),
      h(
        'div',
        { class: 'charts', id: 'charts' },
        barChart('Calls per hour', times, [{ label: 'calls', color: '#5b8def', values: buckets.map((b) => b.calls) }]),
        lineChart('Turn latency (end of speech → first audio)', times, [
          { label: 'p50', color: '#3bb273', values: buckets.map((b) => b.latencyP50) },
          { label: 'p95', color: '#e4572e', values: buckets.map((b) => b.latencyP95) },
        ], ' ms'),
        barChart('Fallbacks and provider errors per hour', times, [
          { label: 'fallbacks', color: '#f2a33a', values: buckets.map((b) => b.fallbacks) },
          { label: 'provider errors', color: '#e4572e', values: buckets.map((b) => b.providerErrors) },
          { label: 'errors', color: '#8e6ad8', values: buckets.map((b) => b.errors) },
        ]),
      ),
    );
  },
});
