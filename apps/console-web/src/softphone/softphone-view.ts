// "Call the agent": the softphone's panel — call and hang-up buttons, a DTMF keypad, the state and the page's counters.
import { SoftphoneCall, type SoftphoneCounters, type SoftphoneState } from './softphone-call';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

const STATE_TEXT: Record<SoftphoneState, string> = {
  idle: 'Ready. Your browser will ask for the microphone.',
  connecting: 'Connecting…',
  live: 'On the call: speak, or press a key.',
  ended: 'Call ended.',
  failed: 'The call failed.',
};

/** Counters shown on the page and mirrored as data-* attributes of the panel (tests read them; kebab-case names). */
const COUNTERS: [keyof SoftphoneCounters, string][] = [
  ['audioPlayedMs', 'Agent audio played (ms)'],
  ['marksEchoed', 'Marks echoed'],
  ['marksPlayed', 'Marks echoed after playing'],
  ['marksCleared', 'Marks echoed by a clear'],
  ['mediaSent', 'Frames sent (20 ms)'],
  ['mediaReceived', 'Media messages received'],
  ['marksReceived', 'Marks received'],
  ['clears', 'Clears (barge-in)'],
  ['dtmfSent', 'Keys sent'],
];

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draws the softphone into `root` (replacing its content). `callPage(callSid)` links to the finished call's record. */
export function mountSoftphone(root: HTMLElement, opts: { callPage?: (callSid: string) => string } = {}): () => void {
  const callPage = opts.callPage ?? ((sid: string) => `/console/calls/${sid}`);
  const panel = el('section', { class: 'softphone', 'data-softphone': '', 'data-state': 'idle', 'aria-label': 'Softphone' });
  panel.append(el('h2', {}, 'Softphone'));
  const status = el('p', { class: 'softphone-status', role: 'status' }, STATE_TEXT.idle);
  const callButton = el('button', { type: 'button', class: 'softphone-call', 'data-action': 'call' }, 'Call');
  const hangButton = el('button', { type: 'button', class: 'softphone-hangup', 'data-action': 'hangup', disabled: '' }, 'Hang up');
  const keypad = el('div', { class: 'softphone-keypad', role: 'group', 'aria-label': 'Keypad' });
  const keys = KEYS.map((d) => el('button', { type: 'button', 'data-digit': d, disabled: '' }, d));
  keypad.append(...keys);
  const record = el('p', { class: 'softphone-record' });
  const counters = el('dl', { class: 'softphone-counters' });
  const values = new Map<keyof SoftphoneCounters, HTMLElement>();
  for (const [key, label] of COUNTERS) {
    const dd = el('dd', { 'data-counter': kebab(key) }, '0');
    values.set(key, dd);
    counters.append(el('dt', {}, label), dd);
  }
  panel.append(status, el('div', { class: 'softphone-buttons' }), keypad, counters, record);
  (panel.querySelector('.softphone-buttons') as HTMLElement).append(callButton, hangButton);

  let call: SoftphoneCall | undefined;
  const showCounters = (c: SoftphoneCounters) => {
    for (const [key] of COUNTERS) {
      (values.get(key) as HTMLElement).textContent = String(c[key]);
      panel.setAttribute(`data-${kebab(key)}`, String(c[key]));
    }
  };
  const showState = (state: SoftphoneState, detail?: string) => {
    panel.dataset['state'] = state;
    status.textContent = detail ? `${STATE_TEXT[state]} (${detail})` : STATE_TEXT[state];
    const live = state === 'connecting' || state === 'live';
    callButton.disabled = live;
    hangButton.disabled = !live;
    for (const k of keys) k.disabled = state !== 'live';
    if ((state === 'ended' || state === 'failed') && call?.callSid) {
      panel.dataset['callSid'] = call.callSid;
      record.replaceChildren(el('a', { href: callPage(call.callSid) }, 'Open this call\'s record'));
    }
  };
  callButton.addEventListener('click', () => {
    record.replaceChildren();
    call = new SoftphoneCall({ onState: showState, onCounters: showCounters });
    showCounters(call.counters);
    void call.dial().then(() => {
      if (call?.callSid) panel.dataset['callSid'] = call.callSid;
    });
  });
  hangButton.addEventListener('click', () => call?.hangUp());
  for (const k of keys) k.addEventListener('click', () => call?.dtmf(k.dataset['digit'] as string));
  root.replaceChildren(panel);
  return () => {
    call?.hangUp();
    panel.remove();
  };
}
