// The console's calls to /api/*: JSON with the session cookie, and the CSRF header on every change.
import type { CallDetail, CallPage, OverviewBucket } from '@tva/records/dist/records-types';

/** As apps/webhooks/src/live-calls.ts sends them. */
export interface LiveSummary {
  callSid: string;
  direction: 'phone' | 'browser';
  from?: string;
  to?: string;
  startedAt: number;
  mode: 'stream' | 'record';
  state: 'listening' | 'thinking' | 'speaking';
  lastTurnMs: number | null;
  turns: number;
  updatedAt: number;
}
export interface LiveLine {
  who: 'caller' | 'agent';
  text: string;
  at: number;
  turn: number;
  interrupted?: boolean;
}
export interface LiveCall extends LiveSummary {
  transcript: LiveLine[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const csrfToken = (): string => document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.method && init.method !== 'GET') headers.set('x-csrf-token', csrfToken());
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (res.status === 401) {
    location.href = '/console/login';
    throw new ApiError(401, 'WH_ERR_CONSOLE_AUTH', 'not logged in');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText);
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const getCalls = (query: URLSearchParams): Promise<CallPage> => api(`/api/calls?${query}`);
export const getCall = (sid: string): Promise<{ call: CallDetail | null; live: LiveCall | null }> => api(`/api/calls/${encodeURIComponent(sid)}`);
export const eraseCall = (sid: string): Promise<void> => api(`/api/calls/${encodeURIComponent(sid)}`, { method: 'DELETE' });
export const getOverview = (hours: number): Promise<{ from: number; to: number; bucketMs: number; buckets: OverviewBucket[] }> => {
  const hour = 3_600_000;
  const to = Math.ceil(Date.now() / hour) * hour;
  return api(`/api/overview?from=${to - hours * hour}&to=${to}&bucket=${hour}`);
};
