// The console's entry: the navigation bar and the page the URL names (Live, Calls, a call, Overview; the softphone registers its own).
import { h, clear } from './dom';
import { api } from './api';
import { PAGES, match } from './pages/registry';
import './pages/live-page';
import './pages/calls-page';
import './pages/call-page';
import './pages/overview-page';
import './softphone/softphone-page';

function nav(current: string): HTMLElement {
  const links = PAGES.filter((p) => p.nav !== undefined)
    .sort((a, b) => (a.nav as number) - (b.nav as number))
    .map((p) => h('a', { href: `/console/${p.path}`, class: current === p.path ? 'active' : undefined }, p.title));
  const auth = document.querySelector<HTMLMetaElement>('meta[name="console-auth"]')?.content;
  const logout =
    auth === 'password'
      ? h('button', {
          class: 'link',
          onclick: () => {
            void api('/console/logout', { method: 'POST' }).finally(() => (location.href = '/console/login'));
          },
        }, 'Log out')
      : h('span', { class: 'muted', title: 'CONSOLE_PASSWORD is unset: only this machine can open the console' }, 'loopback only');
  return h('header', {}, h('strong', { class: 'brand' }, 'Voice agent'), h('nav', {}, ...links), h('span', { class: 'spacer' }), logout);
}

async function start(): Promise<void> {
  const app = document.getElementById('app') as HTMLElement;
  const sub = location.pathname.replace(/^\/console\/?/, '').replace(/\/$/, '');
  const found = match(sub);
  const root = h('main', { id: 'page' });
  clear(app, nav(found?.page.path ?? ''), root);
  if (!found) {
    root.append(h('h1', {}, 'Not found'), h('p', {}, 'No console page here. '), h('a', { href: '/console/live' }, 'Live calls'));
    return;
  }
  document.title = `${found.page.title} · Voice agent console`;
  const leave: (() => void)[] = [];
  addEventListener('pagehide', () => leave.forEach((f) => f()));
  try {
    await found.page.render({ root, ...(found.param !== undefined ? { param: found.param } : {}), onLeave: (f) => leave.push(f) });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    root.append(h('p', { class: 'error' }, h('code', {}, e.code ?? 'ERROR'), ' ', e.message ?? String(err)));
  }
}

void start();
