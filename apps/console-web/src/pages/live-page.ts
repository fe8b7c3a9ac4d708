// Live: the calls in progress, kept current over SSE (duration, mode, state, last turn latency); a row opens its live transcript.
import { h, clear, shortSid, fmtDuration, fmtMs } from '../dom';
import type { LiveSummary } from '../api';
import { registerPage } from './registry';

registerPage({
  path: 'live',
  title: 'Live',
  nav: 1,
  render({ root, onLeave }) {
    const calls = new Map<string, LiveSummary>();
    const status = h('span', { class: 'muted', id: 'live-status' }, 'connecting…');
    const body = h('tbody');
    const empty = h('p', { class: 'muted', id: 'live-empty' }, 'No calls in progress.');
    root.append(
      h('div', { class: 'title-row' }, h('h1', {}, 'Live calls'), status),
      h('table', { class: 'grid', id: 'live-table' }, h('thead', {}, h('tr', {}, ...['Call', 'From', 'Duration', 'Mode', 'State', 'Turns', 'Last turn'].map((t) => h('th', {}, t)))), body),
      empty,
    );
    const draw = (): void => {
      const rows = [...calls.values()].sort((a, b) => a.startedAt - b.startedAt);
      empty.hidden = rows.length > 0;
      clear(
        body,
        ...rows.map((c) =>
          h(
            'tr',
            { 'data-call-sid': c.callSid, class: 'clickable', onclick: () => (location.href = `/console/calls/${encodeURIComponent(c.callSid)}`) },
            h('td', {}, h('a', { href: `/console/calls/${encodeURIComponent(c.callSid)}`, title: c.callSid, class: 'sid' }, shortSid(c.callSid)), c.direction === 'browser' ? h('span', { class: 'tag' }, 'browser') : null),
            h('td', { dir: 'ltr' }, c.from ?? '—'),
            h('td', { class: 'num' }, fmtDuration(Date.now() - c.startedAt)),
            h('td', {}, h('span', { class: `tag mode-${c.mode}` }, c.mode === 'stream' ? 'streamed' : 'RECORD')),
            h('td', {}, h('span', { class: `state state-${c.state}` }, c.state)),
            h('td', { class: 'num' }, c.turns),
            h('td', { class: 'num' }, fmtMs(c.lastTurnMs)),
          ),
        ),
      );
    };
    const es = new EventSource('/api/live/events');
    es.addEventListener('open', () => (status.textContent = 'live'));
    es.addEventListener('error', () => (status.textContent = 'reconnecting…'));
    es.addEventListener('snapshot', (ev) => {
      calls.clear();
      for (const c of (JSON.parse((ev as MessageEvent).data) as { calls: LiveSummary[] }).calls) calls.set(c.callSid, c);
      draw();
    });
    es.addEventListener('call', (ev) => {
      const { call } = JSON.parse((ev as MessageEvent).data) as { call: LiveSummary };
      calls.set(call.callSid, call);
      draw();
    });
    es.addEventListener('ended', (ev) => {
      calls.delete((JSON.parse((ev as MessageEvent).data) as { callSid: string }).callSid);
      draw();
    });
    const tick = setInterval(draw, 1000);
    draw();
    onLeave(() => {
      es.close();
      clearInterval(tick);
    });
  },
});
