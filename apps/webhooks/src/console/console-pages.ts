// The console's server-rendered HTML: the app shell (the bundle draws the pages), the login page, and the "loopback only" page.

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Content-Security-Policy of every console page: our own scripts only (no CDN, no inline script), no framing. */
export const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const BASE_STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
main{max-width:28rem;margin:12vh auto;background:#fff;padding:2rem;border-radius:10px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem}input{width:100%;box-sizing:border-box;padding:.55rem;font-size:1rem;border:1px solid #bbc;border-radius:6px}
button{margin-top:1rem;padding:.55rem 1.2rem;font-size:1rem;border:0;border-radius:6px;background:#2456d6;color:#fff;cursor:pointer}
.err{color:#b3261e;margin:.5rem 0}code{background:#eef;padding:0 .25rem;border-radius:3px}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${BASE_STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** The app shell: one page for every console path; the bundle reads the path and draws Live, Calls, a call, Overview. */
export function shellHtml(csrfToken: string, auth: 'password' | 'loopback'): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="csrf-token" content="${esc(csrfToken)}"><meta name="console-auth" content="${auth}">
<title>Voice agent console</title><link rel="stylesheet" href="/console/assets/console.css"></head>
<body><div id="app">Loading…</div><script src="/console/assets/console.js" defer></script></body></html>`;
}

export function loginHtml(error?: string): string {
  return page(
    'Console login',
    `<h1>Voice agent console</h1>
<form method="post" action="/console/login">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" autofocus required>
${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<button type="submit">Log in</button></form>`,
  );
}

/** What a non-loopback client sees when CONSOLE_PASSWORD is unset: how to turn the console on for it. */
export function loopbackOnlyHtml(): string {
  return page(
    'Console: loopback only',
    `<h1>The console is not open to this address</h1>
<p>No <code>CONSOLE_PASSWORD</code> is set, so the console answers only browsers on this machine
(<code>http://localhost:PORT/console</code>). It is never open to the internet by default.</p>
<p>To use it from elsewhere, set <code>CONSOLE_PASSWORD</code> (in <code>.env</code>, or as a secret on Replit),
restart, and log in with it. Serve it over https.</p>`,
  );
}
