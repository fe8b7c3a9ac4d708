// The console's JSON API (/api/*): calls and their records, the overview, erase, and the live calls as JSON and SSE.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CALL_ENDINGS, HOUR_MS, type CallEndedBy, type CallQuery, type RecordsStore } from '@tva/records';
import type { LiveCallChange, LiveCalls } from '../live-calls';
import { WebhookError } from '../webhook-errors';

export interface ConsoleApiDeps {
  records?: RecordsStore | undefined;
  liveCalls?: LiveCalls | undefined;
  /** SSE heartbeat; below the router's PROXY_TIMEOUT_MS so an idle stream is never cut. */
  heartbeatMs: number;
  /** Most SSE streams open at once (each open console page holds one). */
  maxStreams?: number;
}

type Query = Record<string, string | undefined>;

const CALL_SID = /^[A-Za-z0-9_-]{1,64}$/;

function time(q: Query, name: string): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const t = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new WebhookError('WH_ERR_CONSOLE_BAD_QUERY', name);
  return t;
}

function flag(q: Query, name: string): boolean | undefined {
  const v = q[name];
  if (v === undefined || v === '' || v === 'any') return undefined;
  if (v === 'true' || v === 'yes') return true;
  if (v === 'false' || v === 'no') return false;
  throw new WebhookError('WH_ERR_CONSOLE_BAD_QUERY', name);
}

/** The Calls page's search, from the query string. */
export function parseCallQuery(q: Query): CallQuery {
  const query: CallQuery = {};
  const from = time(q, 'from');
  const to = time(q, 'to');
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  const number = q['number']?.replace(/[\s+()-]/g, '');
  if (number) {
    if (!/^\d{1,15}$/.test(number)) throw new WebhookError('WH_ERR_CONSOLE_BAD_QUERY', 'number');
    query.numberSuffix = number;
  }
  const endedBy = q['endedBy'];
  if (endedBy) {
    if (!(CALL_ENDINGS as readonly string[]).includes(endedBy)) throw new WebhookError('WH_ERR_CONSOLE_BAD_QUERY', 'endedBy');
    query.endedBy = endedBy as CallEndedBy;
  }
  const fallback = flag(q, 'fallback');
  const errors = flag(q, 'errors');
  if (fallback !== undefined) query.fallback = fallback;
  if (errors !== undefined) query.errors = errors;
  if (q['limit']) {
    const limit = Number(q['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new WebhookError('WH_ERR_CONSOLE_BAD_QUERY', 'limit');
    query.limit = limit;
  }
  if (q['cursor']) {
    if (q['cursor'].length > 200) throw new WebhookError('WH_ERR_CONSOLE_BAD_QUERY', 'cursor');
    query.cursor = q['cursor'];
  }
  return query;
}

function callSidOf(req: FastifyRequest): string {
  const sid = (req.params as { callSid?: string }).callSid ?? '';
  if (!CALL_SID.test(sid)) throw new WebhookError('WH_ERR_CONSOLE_BAD_QUERY', 'callSid');
  return sid;
}

export function registerConsoleApi(app: FastifyInstance, deps: ConsoleApiDeps): void {
  const store = (): RecordsStore => {
    if (!deps.records) throw new WebhookError('WH_ERR_CONSOLE_NO_RECORDS');
    return deps.records;
  };
  const maxStreams = deps.maxStreams ?? 200;
  let streams = 0;
  const closers = new Set<() => void>();
  // why: an open SSE stream would hold app.close() (pm2's graceful stop) until the kill timeout.
  app.addHook('preClose', async () => {
    for (const close of [...closers]) close();
  });

  app.get('/api/calls', async (req) => store().listCalls(parseCallQuery(req.query as Query)));

  app.get('/api/calls/:callSid', async (req) => {
    const sid = callSidOf(req);
    const call = await store().getCall(sid);
    const live = deps.liveCalls?.get(sid);
    if (!call && !live) throw new WebhookError('WH_ERR_CONSOLE_NO_CALL');
    return { call: call ?? null, live: live ?? null };
  });

  app.delete('/api/calls/:callSid', async (req, reply) => {
    const sid = callSidOf(req);
    if (!(await store().erase(sid))) throw new WebhookError('WH_ERR_CONSOLE_NO_CALL');
    req.log.info({ callSid: sid }, 'console: call record erased');
    return reply.code(204).send();
  });

  app.get('/api/overview', async (req) => {
    const q = req.query as Query;
    const to = time(q, 'to') ?? Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
    const from = time(q, 'from') ?? to - 24 * HOUR_MS;
    const bucket = q['bucket'] ? Number(q['bucket']) : HOUR_MS;
    // why: a bounded number of buckets, whatever the client asks for.
    if (!(to > from) || !Number.isInteger(bucket) || bucket < 60_000 || (to - from) / bucket > 1000) throw new WebhookError('WH_ERR_CONSOLE_BAD_QUERY', 'from/to/bucket');
    return { from, to, bucketMs: bucket, buckets: await store().overview(from, to, bucket) };
  });

  app.get('/api/live', async () => ({ calls: deps.liveCalls?.list() ?? [] }));

  /** SSE: a snapshot, then every change. `?callSid=` also streams that call's transcript lines and re-reported turns (the live transcript). */
  app.get('/api/live/events', (req, reply: FastifyReply) => {
    if (streams >= maxStreams) throw new WebhookError('WH_ERR_RATE_LIMITED');
    const only = (req.query as Query)['callSid'];
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
    streams += 1;
    const send = (event: string, data: unknown): void => {
      // why: a page that stops reading must not make us buffer without bound; it is dropped and reconnects.
      if (res.writableLength > 256 * 1024) return close();
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const live = deps.liveCalls;
    send('snapshot', { calls: live?.list() ?? [], call: only ? live?.get(only) ?? null : null });
    const unsubscribe = live?.subscribe((change: LiveCallChange) => {
      // why: transcript changes go only to the page watching that call; the Live list needs summaries alone.
      if ((change.type === 'line' || change.type === 'turn-replaced') && change.callSid !== only) return;
      send(change.type, change);
    });
    const beat = setInterval(() => res.write(': beat\n\n'), deps.heartbeatMs);
    let closed = false;
    function close(): void {
      if (closed) return;
      closed = true;
      streams -= 1;
      closers.delete(close);
      clearInterval(beat);
      unsubscribe?.();
      res.end();
    }
    closers.add(close);
    req.raw.on('close', close);
    res.on('error', close);
  });
}
