// The console's pages by path: each page module registers itself; main.ts draws the one the URL names.

export interface PageContext {
  root: HTMLElement;
  /** The path's parameter (a CallSid), when the route has one. */
  param?: string;
  /** Called when the page is left (closes SSE streams, timers). */
  onLeave(fn: () => void): void;
}

export interface PageDef {
  /** Path under /console, e.g. 'live', 'calls', 'calls/:callSid', 'call'. */
  path: string;
  title: string;
  /** Shown in the navigation bar (in order) when set. */
  nav?: number;
  render(ctx: PageContext): void | Promise<void>;
}

export const PAGES: PageDef[] = [];

export function registerPage(page: PageDef): void {
  PAGES.push(page);
}

/** The page for a path under /console ('' is Live). */
export function match(sub: string): { page: PageDef; param?: string } | undefined {
  const want = sub === '' ? 'live' : sub;
  for (const page of PAGES) {
    const [base, param] = page.path.split('/:');
    if (!param && want === base) return { page };
    if (param && want.startsWith(`${base}/`) && want.length > base!.length + 1) return { page, param: decodeURIComponent(want.slice(base!.length + 1)) };
  }
  return undefined;
}
