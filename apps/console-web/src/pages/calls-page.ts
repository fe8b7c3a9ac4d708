// Calls: the records, newest first, searched by date range, number suffix, how they ended, fallback and errors; paged by cursor.
import { h, clear, shortSid, fmtTime, fmtDuration } from '../dom';
import { getCalls } from '../api';
import { registerPage } from './registry';

const ENDINGS = ['agent-end', 'transfer', 'caller-hangup', 'fallback', 'error', 'unknown'];

const toLocalInput = (ms: number): string => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

function select(name: string, value: string, options: [string, string][]): HTMLSelectElement {
  const s = h('select', { name, id: `f-${name}` }, ...options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  return s;
}

registerPage({
  path: 'calls',
  title: 'Calls',
  nav: 2,
  async render({ root }) {
    const params = new URLSearchParams(location.search);
    const get = (k: string): string => params.get(k) ?? '';
    const fromVal = get('from') ? toLocalInput(Date.parse(get('from'))) : '';
    const toVal = get('to') ? toLocalInput(Date.parse(get('to'))) : '';
    const form = h(
      'form',
      { class: 'filters', id: 'calls-search' },
      h('label', {}, 'From', h('input', { type: 'datetime-local', name: 'from', value: fromVal })),
      h('label', {}, 'To', h('input', { type: 'datetime-local', name: 'to', value: toVal })),
      h('label', {}, 'Number ends with', h('input', { name: 'number', inputmode: 'numeric', placeholder: '4567', value: get('number'), size: 8 })),
      h('label', {}, 'Ended by', select('endedBy', get('endedBy'), [['', 'any'], ...ENDINGS.map((e): [string, string] => [e, e])])),
      h('label', {}, 'Fallback', select('fallback', get('fallback'), [['', 'any'], ['true', 'yes'], ['false', 'no']])),
      h('label', {}, 'Errors', select('errors', get('errors'), [['', 'any'], ['true', 'yes'], ['false', 'no']])),
      h('button', { type: 'submit' }, 'Search'),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams();
      for (const [k, v] of new FormData(form)) {
        if (typeof v !== 'string' || v === '') continue;
        q.set(k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v);
      }
      location.search = q.toString();
    });
    const body = h('tbody');
    const more = h('p', { class: 'pager' });
    root.append(
      h('h1', {}, 'Calls'),
      form,
      h('table', { class: 'grid', id: 'calls-table' }, h('thead', {}, h('tr', {}, ...['Started', 'Call', 'From', 'To', 'Duration', 'Modes', 'Turns', 'Ended by', 'Errors'].map((t) => h('th', {}, t)))), body),
      more,
    );
    const page = await getCalls(params);
    if (page.calls.length === 0) body.append(h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'No calls match.')));
    for (const c of page.calls) {
      const href = `/console/calls/${encodeURIComponent(c.callSid)}`;
      body.append(
        h(
          'tr',
          { 'data-call-sid': c.callSid },
          h('td', {}, fmtTime(c.startedAt)),
          h('td', {}, h('a', { href, title: c.callSid, class: 'sid' }, shortSid(c.callSid)), c.direction === 'browser' ? h('span', { class: 'tag' }, 'browser') : null),
          h('td', { dir: 'ltr' }, c.from ?? '—'),
          h('td', { dir: 'ltr' }, c.to ?? '—'),
          h('td', { class: 'num' }, c.endedAt ? fmtDuration(c.endedAt - c.startedAt) : 'live'),
          h('td', {}, c.modes.map((m) => (m.mode === 'stream' ? 'streamed' : 'RECORD')).join(' → ') || '—'),
          h('td', { class: 'num' }, c.turnCount),
          h('td', {}, c.endedBy ? h('span', { class: `tag end-${c.endedBy}` }, c.endedBy) : '—', c.fallback && c.endedBy !== 'fallback' ? h('span', { class: 'tag end-fallback' }, 'fallback') : null),
          h('td', { class: c.errorCount ? 'num bad' : 'num' }, c.errorCount),
        ),
      );
    }
    clear(more);
    if (params.get('cursor')) more.append(h('button', { type: 'button', class: 'link', onclick: () => history.back() }, '← Newer'), ' ');
    if (page.nextCursor) {
      const next = new URLSearchParams(params);
      next.set('cursor', page.nextCursor);
      more.append(h('a', { href: `?${next}`, id: 'older' }, 'Older →'));
    }
  },
});
