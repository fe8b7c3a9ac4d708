// The console's "Call the agent" page (/console/call): registers itself with the page registry, draws the softphone.
import { registerPage } from '../pages/registry';
import { mountSoftphone } from './softphone-view';

/** The softphone's own look, on top of console.css (the CSP allows inline styles, not inline scripts). */
const STYLE = `.softphone{max-width:24rem;background:#fff;border:1px solid var(--line,#dde1e8);border-radius:10px;padding:1rem 1.2rem;margin:.8rem 0}
.softphone-buttons{display:flex;gap:.6rem;margin:.6rem 0}.softphone-hangup{background:#b3261e}
.softphone button:disabled{opacity:.45;cursor:default}
.softphone-keypad{display:grid;grid-template-columns:repeat(3,4rem);gap:.4rem;margin:.8rem 0}
.softphone-keypad button{font-size:1.2rem;padding:.55rem 0;background:#eef1f6;color:#1d2330}
.softphone[data-state="live"] .softphone-status{color:#17683a;font-weight:600}.softphone[data-state="failed"] .softphone-status{color:#b3261e}
.softphone-counters{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;font-size:.85rem}
.softphone-counters dd{margin:0;font-variant-numeric:tabular-nums}`;

registerPage({
  path: 'call',
  title: 'Call the agent',
  // why first: on the embedded defaults this is how a newcomer hears the agent.
  nav: 0.5,
  render({ root, onLeave }) {
    if (!document.getElementById('softphone-style')) {
      const style = document.createElement('style');
      style.id = 'softphone-style';
      style.textContent = STYLE;
      document.head.append(style);
    }
    const heading = document.createElement('h1');
    heading.textContent = 'Call the agent';
    const intro = document.createElement('p');
    intro.className = 'muted';
    intro.textContent = 'Talks to the agent from this browser through the same media path as a phone call (8 kHz μ-law, Media Streams). The call is recorded like a phone call, marked browser.';
    const holder = document.createElement('div');
    root.append(heading, intro, holder);
    onLeave(mountSoftphone(holder, { callPage: (sid) => `/console/calls/${encodeURIComponent(sid)}` }));
  },
});
