// Who may use the console: loopback clients when CONSOLE_PASSWORD is unset, else holders of a signed session cookie; CSRF tokens; failed-login limits.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { clientKey } from '../rate-limiter';

export const SESSION_COOKIE = 'tva_console';
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleSession {
  /** 'password': a logged-in browser; 'loopback': no password is set and the client is on this machine. */
  kind: 'password' | 'loopback';
  /** Names the session (the cookie's nonce, or 'loopback'); the CSRF token is derived from it. */
  id: string;
  csrfToken: string;
}

const b64url = (buf: Buffer): string => buf.toString('base64url');
const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Equal strings, in time that does not depend on where they differ. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function isLoopbackAddress(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(a) === 4) return a.startsWith('127.');
  return a === '::1';
}

/** The host name of a Host header value ("[::1]:8080" → "::1", "localhost:80" → "localhost"). */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/**
 * A client on this machine, asking for this machine by a loopback name. why both: the address alone would let a web
 * page on any site reach the console by DNS rebinding (its Host is then the attacker's name), and a reverse proxy on
 * this machine (TRUST_PROXY=0) makes every internet client look like 127.0.0.1 — but forwards the public Host.
 */
export function isLoopbackRequest(req: FastifyRequest): boolean {
  const address = clientKey(req.headers['x-forwarded-for'], req.socket.remoteAddress);
  if (!isLoopbackAddress(address)) return false;
  const fwdHost = req.headers['x-forwarded-host'];
  const host = (Array.isArray(fwdHost) ? fwdHost[0] : fwdHost) ?? req.headers.host ?? '';
  const name = hostName(host);
  return name === 'localhost' || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'));
}

/** The cookies of a request, by name (the first of each). */
export function readCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Whether the browser reached us over https (the router passes the public scheme as X-Forwarded-Proto). */
export function isHttps(req: FastifyRequest): boolean {
  return req.headers['x-forwarded-proto'] === 'https';
}

/**
 * Signs and checks session cookies: `<expiresMs>.<nonce>.<mac>`. why stateless: a login survives a webhooks restart
 * (pm2 restarts it); the key mixes in the password, so changing CONSOLE_PASSWORD logs every browser out. Logout
 * revokes the nonce in memory until it would have expired.
 */
export class ConsoleSessions {
  private readonly key: Buffer;
  private readonly revoked = new Map<string, number>();

  constructor(
    secret: string,
    private readonly password: string | undefined,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    // why: without a password the key is per process; the only thing it signs then is the loopback CSRF token.
    this.key = sha256(`${secret}\0console\0${password ?? b64url(randomBytes(32))}`);
  }

  get passwordSet(): boolean {
    return this.password !== undefined && this.password !== '';
  }

  checkPassword(candidate: string): boolean {
    return this.passwordSet && safeEqual(candidate, this.password as string);
  }

  private mac(text: string): string {
    return b64url(createHmac('sha256', this.key).update(text).digest());
  }

  csrfFor(id: string): string {
    return this.mac(`csrf.${id}`);
  }

  /** A new session cookie value and its expiry. */
  issue(): { value: string; expiresAt: number } {
    const expiresAt = this.now() + this.ttlMs;
    const body = `${expiresAt}.${b64url(randomBytes(18))}`;
    return { value: `${body}.${this.mac(body)}`, expiresAt };
  }

  /** The session a cookie value names, or undefined when it is forged, expired or revoked. */
  verify(value: string | undefined): ConsoleSession | undefined {
    if (!value || !this.passwordSet) return undefined;
    const [expires, nonce, mac, extra] = value.split('.');
    if (!expires || !nonce || !mac || extra !== undefined || !/^\d{1,15}$/.test(expires)) return undefined;
    if (!safeEqual(mac, this.mac(`${expires}.${nonce}`))) return undefined;
    if (Number(expires) <= this.now() || this.revoked.has(nonce)) return undefined;
    return { kind: 'password', id: nonce, csrfToken: this.csrfFor(nonce) };
  }

  loopback(): ConsoleSession {
    return { kind: 'loopback', id: 'loopback', csrfToken: this.csrfFor('loopback') };
  }

  revoke(value: string | undefined): void {
    const [expires, nonce] = (value ?? '').split('.');
    if (!nonce || !this.verify(value)) return;
    this.revoked.set(nonce, Number(expires));
    const now = this.now();
    for (const [n, exp] of this.revoked) if (exp <= now) this.revoked.delete(n);
  }
}

/**
 * Failed logins per client address and overall, in a sliding window. why overall too: many addresses guessing slowly
 * each stay under a per-address limit; the overall cap bounds the guesses per window whatever their spread.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private all: number[] = [];

  constructor(
    private readonly perClient = 10,
    private readonly overall = 100,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(list: number[] | undefined): number[] {
    const cutoff = this.now() - this.windowMs;
    return (list ?? []).filter((t) => t > cutoff);
  }

  /** False while this client (or everyone together) has too many recent failures: refuse without checking. */
  allowed(client: string): boolean {
    this.all = this.recent(this.all);
    return this.recent(this.failures.get(client)).length < this.perClient && this.all.length < this.overall;
  }

  fail(client: string): void {
    const list = this.recent(this.failures.get(client));
    list.push(this.now());
    this.failures.set(client, list);
    this.all.push(this.now());
    // why: bounded memory under a flood of addresses.
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeed(client: string): void {
    this.failures.delete(client);
  }
}
