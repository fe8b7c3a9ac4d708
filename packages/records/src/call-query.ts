// Turns a CallQuery into SQL (filters, keyset cursor, page size) and row shapes into CallRecords.
import { RecordsError } from './records-errors';
import { CALL_ENDINGS, type CallDirection, type CallEndedBy, type CallMode, type CallQuery, type CallRecord, type ModeChange } from './records-types';
import type { SqlValue } from './sql-driver';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** The columns every call listing selects (counts as subqueries: a page is at most MAX_PAGE rows). */
export const CALL_COLUMNS = `c.call_sid, c.direction, c.from_number, c.to_number, c.started_at, c.ended_at, c.ended_by, c.end_code, c.stt, c.llm, c.tts, c.fallback,
  (SELECT COUNT(*) FROM turns t WHERE t.call_sid = c.call_sid) AS turn_count,
  (SELECT COUNT(*) FROM events e WHERE e.call_sid = c.call_sid AND e.kind IN ('provider-error', 'error')) AS error_events`;

export interface CallRow {
  call_sid: string;
  direction: string;
  from_number: string | null;
  to_number: string | null;
  started_at: number;
  ended_at: number | null;
  ended_by: string | null;
  end_code: string | null;
  stt: string | null;
  llm: string | null;
  tts: string | null;
  fallback: number;
  turn_count: number;
  error_events: number;
}

export function toCallRecord(row: CallRow, modes: ModeChange[]): CallRecord {
  const endedBy = (CALL_ENDINGS as readonly string[]).includes(row.ended_by ?? '') ? (row.ended_by as CallEndedBy) : null;
  return {
    callSid: row.call_sid,
    direction: row.direction === 'browser' ? 'browser' : 'phone',
    from: row.from_number,
    to: row.to_number,
    startedAt: Number(row.started_at),
    endedAt: row.ended_at == null ? null : Number(row.ended_at),
    endedBy,
    endCode: row.end_code,
    modes,
    providers: { stt: row.stt, llm: row.llm, tts: row.tts },
    turnCount: Number(row.turn_count),
    errorCount: Number(row.error_events) + (endedBy === 'error' ? 1 : 0),
    fallback: Number(row.fallback) === 1,
  };
}

export function isCallMode(v: unknown): v is CallMode {
  return v === 'stream' || v === 'record';
}

interface Cursor {
  startedAt: number;
  callSid: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.startedAt, c.callSid])).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string') return { startedAt: v[0] as number, callSid: v[1] };
  } catch {
    // fall through
  }
  throw new RecordsError('RECORDS_ERR_BAD_QUERY', 'cursor');
}

const ERROR_CALL = `(COALESCE(c.ended_by, '') = 'error' OR EXISTS (SELECT 1 FROM events e WHERE e.call_sid = c.call_sid AND e.kind IN ('provider-error', 'error')))`;

/** WHERE … ORDER BY … LIMIT for one page (one row more than the page, to know whether another follows). */
export function callPageSql(q: CallQuery): { sql: string; params: SqlValue[]; limit: number } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, ...values: SqlValue[]): void => {
    where.push(clause);
    params.push(...values);
  };
  const time = (v: number | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!Number.isFinite(v)) throw new RecordsError('RECORDS_ERR_BAD_QUERY', name);
    return Math.floor(v);
  };
  const from = time(q.from, 'from');
  const to = time(q.to, 'to');
  if (from !== undefined) add('c.started_at >= ?', from);
  if (to !== undefined) add('c.started_at < ?', to);
  const digits = (q.numberSuffix ?? '').replace(/\D/g, '');
  if (digits !== '') add('(c.from_number LIKE ? OR c.to_number LIKE ?)', `%${digits}`, `%${digits}`);
  if (q.endedBy !== undefined) {
    if (!(CALL_ENDINGS as readonly string[]).includes(q.endedBy)) throw new RecordsError('RECORDS_ERR_BAD_QUERY', 'endedBy');
    add('c.ended_by = ?', q.endedBy);
  }
  if (q.direction !== undefined) add('c.direction = ?', q.direction satisfies CallDirection);
  if (q.fallback !== undefined) add(q.fallback ? 'c.fallback = 1' : 'c.fallback = 0');
  if (q.errors !== undefined) add(q.errors ? ERROR_CALL : `NOT ${ERROR_CALL}`);
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    add('(c.started_at < ? OR (c.started_at = ? AND c.call_sid < ?))', c.startedAt, c.startedAt, c.callSid);
  }
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(q.limit ?? DEFAULT_PAGE) || DEFAULT_PAGE));
  const sql = `SELECT ${CALL_COLUMNS} FROM calls c ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.started_at DESC, c.call_sid DESC LIMIT ${limit + 1}`;
  return { sql, params, limit };
}
