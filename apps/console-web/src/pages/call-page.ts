// A call's page: its record (ending, modes, providers), the transcript (per-line direction, so Hebrew reads right-to-left), the latency waterfall, events and errors; live calls keep growing over SSE.
import { h, clear, fmtTime, fmtClock, fmtDuration, fmtMs } from '../dom';
import { eraseCall, getCall, type LiveLine } from '../api';
import type { CallEventRecord, TurnRecord } from '@tva/records/dist/records-types';
import { waterfall } from '../waterfall';
import { PAGES, registerPage } from './registry';

/** `turn`: the streamed turn the line belongs to (data-turn), so a re-reported turn can replace its lines. */
function line(who: 'caller' | 'agent', text: string | null, at: number, interrupted = false, turn?: number): HTMLElement {
  // why: dir="auto" on each line takes its direction from its own first strong character, so Hebrew lines are RTL and English LTR in one transcript.
  return h(
    'div',
    { class: `line ${who}`, 'data-turn': turn },
    h('span', { class: 'who' }, who === 'caller' ? 'Caller' : 'Agent'),
    h('span', { class: 'at' }, fmtClock(at)),
    h('p', { dir: 'auto', class: 'text' }, text ?? '(transcript off)'),
    interrupted ? h('span', { class: 'tag interrupted', title: 'the caller interrupted; the text is what was heard' }, 'interrupted') : null,
  );
}

function turnLines(t: TurnRecord): HTMLElement[] {
  const out: HTMLElement[] = [];
  const turn = t.mode === 'stream' ? t.turn : undefined;
  if (t.callerText !== null && t.callerText !== '') out.push(line('caller', t.callerText, t.at, false, turn));
  if (t.agentText !== null || t.interrupted) out.push(line('agent', t.agentText, t.at, t.interrupted, turn));
  if (t.callerText === null && t.agentText === null) out.push(line('caller', null, t.at, false, turn));
  return out;
}

/** A turn re-reported (a barge-in cut its reply short): its lines, live or from the record, give way to `lines` in place. */
function replaceTurn(transcript: HTMLElement, turn: number, lines: LiveLine[]): void {
  const old = [...transcript.querySelectorAll<HTMLElement>(`.line[data-turn="${turn}"]`)];
  const fresh = lines.map((l) => line(l.who, l.text, l.at, l.interrupted, l.turn));
  if (old[0]) old[0].before(...fresh);
  else transcript.append(...fresh);
  for (const el of old) el.remove();
}

function eventRow(e: CallEventRecord): HTMLElement {
  const bad = e.kind === 'error' || e.kind === 'provider-error' || e.kind === 'fallback';
  return h('li', { class: bad ? 'bad' : undefined }, h('span', { class: 'at' }, fmtClock(e.at)), h('span', { class: `tag ev-${e.kind}` }, e.kind), e.code ? h('code', {}, e.code) : null, e.detail ? h('span', { dir: 'auto' }, ` ${e.detail}`) : null);
}

const dl = (pairs: [string, unknown][]): HTMLElement => h('dl', { class: 'facts' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { dir: 'auto' }, v == null || v === '' ? '—' : String(v))]));

registerPage({
  path: 'calls/:callSid',
  title: 'Call',
  async render({ root, param, onLeave }) {
    const sid = param as string;
    const { call, live } = await getCall(sid);
    root.append(h('div', { class: 'title-row' }, h('h1', {}, 'Call ', h('code', {}, sid)), live ? h('span', { class: 'tag live' }, 'live') : null));
    const transcript = h('div', { class: 'transcript', id: 'transcript' });
    if (call) {
      const duration = call.endedAt ? fmtDuration(call.endedAt - call.startedAt) : 'in progress';
      root.append(
        h(
          'section',
          { class: 'card' },
          dl([
            ['Direction', call.direction],
            ['From', call.from],
            ['To', call.to],
            ['Started', fmtTime(call.startedAt)],
            ['Duration', duration],
            ['Ended by', call.endedBy ? `${call.endedBy}${call.endCode ? ` (${call.endCode})` : ''}` : null],
            ['Modes', call.modes.map((m) => `${m.mode === 'stream' ? 'streamed' : 'RECORD'} ${fmtClock(m.at)}`).join(' → ')],
            ['Providers', `STT ${call.providers.stt ?? '?'} · LLM ${call.providers.llm ?? '?'} · TTS ${call.providers.tts ?? '?'}`],
          ]),
          h('button', {
            class: 'danger',
            id: 'erase',
            onclick: async () => {
              if (!confirm('Erase this call\'s record (turns and events)? This cannot be undone.')) return;
              await eraseCall(sid);
              location.href = '/console/calls';
            },
          }, 'Erase record'),
        ),
      );
      const errors = call.events.filter((e) => e.kind === 'error' || e.kind === 'provider-error' || (e.kind === 'fallback' && e.code));
      if (errors.length) root.append(h('section', { class: 'card errors', id: 'errors' }, h('h2', {}, 'Errors'), h('ul', { class: 'events' }, ...errors.map(eventRow))));
      for (const t of call.turns) transcript.append(...turnLines(t));
      root.append(h('section', { class: 'card' }, h('h2', {}, 'Transcript'), transcript));
      root.append(waterfall(call.turns));
      root.append(
        h('section', { class: 'card' }, h('h2', {}, 'Turns'), h('table', { class: 'grid', id: 'turns' }, h('thead', {}, h('tr', {}, ...['Turn', 'Mode', 'At', 'End of speech → first audio', 'Interrupted'].map((t) => h('th', {}, t)))), h('tbody', {}, ...call.turns.map((t) => h('tr', {}, h('td', { class: 'num' }, t.turn), h('td', {}, t.mode), h('td', {}, fmtClock(t.at)), h('td', { class: 'num' }, fmtMs(t.spans['endOfSpeech→firstAudio'] ?? null)), h('td', {}, t.interrupted ? 'yes' : t.failed ? 'failed' : '')))))),
        h('section', { class: 'card' }, h('h2', {}, 'Events'), call.events.length ? h('ul', { class: 'events', id: 'events' }, ...call.events.map(eventRow)) : h('p', { class: 'muted' }, 'No events.')),
      );
    } else {
      root.append(h('section', { class: 'card' }, h('h2', {}, 'Transcript'), transcript));
    }
    if (!live) return;
    // A live call: the transcript grows as turns finish.
    if (!call) for (const l of live.transcript) transcript.append(line(l.who, l.text, l.at, l.interrupted, l.turn));
    const shown = new Set((call?.turns ?? []).map((t) => `${t.mode}:${t.turn}`));
    const es = new EventSource(`/api/live/events?callSid=${encodeURIComponent(sid)}`);
    es.addEventListener('line', (ev) => {
      const { line: l } = JSON.parse((ev as MessageEvent).data) as { line: LiveLine };
      if (call && shown.has(`stream:${l.turn}`)) return;
      transcript.append(line(l.who, l.text, l.at, l.interrupted, l.turn));
    });
    es.addEventListener('turn-replaced', (ev) => {
      const { turn, lines } = JSON.parse((ev as MessageEvent).data) as { turn: number; lines: LiveLine[] };
      replaceTurn(transcript, turn, lines);
    });
    es.addEventListener('ended', (ev) => {
      if ((JSON.parse((ev as MessageEvent).data) as { callSid: string }).callSid !== sid) return;
      es.close();
      // The record now has the whole call: redraw from it.
      setTimeout(() => {
        clear(root);
        void registerPageRender(root, sid, onLeave);
      }, 500);
    });
    onLeave(() => es.close());
  },
});

async function registerPageRender(root: HTMLElement, sid: string, onLeave: (f: () => void) => void): Promise<void> {
  await PAGES.find((p) => p.path === 'calls/:callSid')?.render({ root, param: sid, onLeave });
}
