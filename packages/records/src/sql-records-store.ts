// The RecordsStore over either SQL driver: idempotent writes that create the call's row when missing, and the reads the console needs.
import { callPageSql, CALL_COLUMNS, encodeCursor, isCallMode, toCallRecord, type CallRow } from './call-query';
import { migrate } from './migrations';
import { overview } from './overview';
import { RecordsError } from './records-errors';
import type { RecordsPolicy } from './records-policy';
import {
  CALL_ENDINGS,
  CALL_EVENT_KINDS,
  LATENCY_SPAN,
  type CallDetail,
  type CallEventRecord,
  type CallPage,
  type CallQuery,
  type EndCallInput,
  type ModeChange,
  type RecordsStore,
  type StartCallInput,
  type TurnRecord,
  type TurnSpans,
} from './records-types';
import type { SqlDriver, SqlExec } from './sql-driver';

const MAX_SID = 64;
const MAX_TRANSCRIPT = 10_000;
const MAX_DETAIL = 500;
const MAX_NAME = 100;

const cut = (v: string | null, max: number): string | null => (v == null ? null : v.length > max ? v.slice(0, max) : v);
const time = (v: number | undefined, field: string): number => {
  if (v === undefined) return Date.now();
  if (!Number.isFinite(v)) throw new RecordsError('RECORDS_ERR_WRITE', `${field} is not a time`);
  return Math.round(v);
};

function checkSid(callSid: string): void {
  if (typeof callSid !== 'string' || callSid === '' || callSid.length > MAX_SID) throw new RecordsError('RECORDS_ERR_WRITE', 'callSid');
}

/** Only finite numbers and nulls, under short names: a span map cannot smuggle text into the database. */
function cleanSpans(spans: TurnSpans): TurnSpans {
  const out: TurnSpans = {};
  for (const [k, v] of Object.entries(spans ?? {})) {
    if (k.length > 64) continue;
    if (v === null || (typeof v === 'number' && Number.isFinite(v))) out[k] = v;
  }
  return out;
}

export class SqlRecordsStore implements RecordsStore {
  readonly driver: RecordsStore['driver'];
  readonly location: string;

  constructor(private readonly db: SqlDriver, private readonly policy: RecordsPolicy) {
    this.driver = db.kind;
    this.location = db.location;
  }

  migrate(): Promise<void> {
    return migrate(this.db);
  }

  /** Creates a bare row for a call first seen through a turn or an event (a restart lost its start, or notices raced). */
  private async ensureCall(tx: SqlExec, callSid: string, at: number): Promise<void> {
    await tx.run("INSERT INTO calls (call_sid, direction, started_at) VALUES (?, 'phone', ?) ON CONFLICT (call_sid) DO NOTHING", [callSid, at]);
  }

  async startCall(input: StartCallInput): Promise<void> {
    checkSid(input.callSid);
    const startedAt = time(input.startedAt, 'startedAt');
    const p = input.providers ?? {};
    const name = (v: string | null | undefined) => cut(this.policy.text(v), MAX_NAME);
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO calls (call_sid, direction, from_number, to_number, started_at, stt, llm, tts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (call_sid) DO UPDATE SET
           direction = CASE WHEN excluded.direction = 'browser' OR calls.direction = 'browser' THEN 'browser' ELSE 'phone' END,
           from_number = COALESCE(excluded.from_number, calls.from_number),
           to_number = COALESCE(excluded.to_number, calls.to_number),
           started_at = CASE WHEN excluded.started_at < calls.started_at THEN excluded.started_at ELSE calls.started_at END,
           stt = COALESCE(excluded.stt, calls.stt),
           llm = COALESCE(excluded.llm, calls.llm),
           tts = COALESCE(excluded.tts, calls.tts)`,
        [
          input.callSid,
          input.direction === 'browser' ? 'browser' : 'phone',
          cut(this.policy.number(input.from), MAX_NAME),
          cut(this.policy.text(input.to), MAX_NAME),
          startedAt,
          name(p.stt),
          name(p.llm),
          name(p.tts),
        ],
      );
      if (input.mode !== undefined) await this.modeIn(tx, input.callSid, { mode: input.mode, at: startedAt });
    });
  }

  async addTurn(callSid: string, turn: TurnRecord): Promise<void> {
    checkSid(callSid);
    if (!isCallMode(turn.mode) || !Number.isSafeInteger(turn.turn)) throw new RecordsError('RECORDS_ERR_WRITE', 'turn mode or number');
    const at = time(turn.at, 'at');
    const spans = cleanSpans(turn.spans);
    const latency = turn.mode === 'stream' ? spans[LATENCY_SPAN] ?? null : null;
    await this.db.transaction(async (tx) => {
      await this.ensureCall(tx, callSid, at);
      await tx.run(
        `INSERT INTO turns (call_sid, mode, turn, at, caller_text, agent_text, interrupted, failed, spans, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (call_sid, mode, turn) DO UPDATE SET at = excluded.at, caller_text = excluded.caller_text, agent_text = excluded.agent_text,
           interrupted = excluded.interrupted, failed = excluded.failed, spans = excluded.spans, latency_ms = excluded.latency_ms`,
        [
          callSid,
          turn.mode,
          turn.turn,
          at,
          cut(this.policy.transcript(turn.callerText), MAX_TRANSCRIPT),
          cut(this.policy.transcript(turn.agentText), MAX_TRANSCRIPT),
          turn.interrupted ? 1 : 0,
          turn.failed ? 1 : 0,
          JSON.stringify(spans),
          latency,
        ],
      );
    });
  }

  async addEvent(callSid: string, event: CallEventRecord): Promise<void> {
    checkSid(callSid);
    if (!(CALL_EVENT_KINDS as readonly string[]).includes(event.kind)) throw new RecordsError('RECORDS_ERR_WRITE', 'event kind');
    const at = time(event.at, 'at');
    await this.db.transaction(async (tx) => {
      await this.ensureCall(tx, callSid, at);
      if (event.kind === 'mode' && isCallMode(event.detail)) return this.modeIn(tx, callSid, { mode: event.detail, at });
      await this.insertEvent(tx, callSid, event, at);
    });
  }

  private async insertEvent(tx: SqlExec, callSid: string, event: CallEventRecord, at: number): Promise<void> {
    await tx.run('INSERT INTO events (call_sid, at, kind, code, detail) VALUES (?, ?, ?, ?, ?)', [
      callSid,
      at,
      event.kind,
      cut(this.policy.text(event.code), MAX_NAME),
      cut(this.policy.text(event.detail), MAX_DETAIL),
    ]);
    if (event.kind === 'fallback') await tx.run('UPDATE calls SET fallback = 1 WHERE call_sid = ?', [callSid]);
  }

  async addMode(callSid: string, change: ModeChange): Promise<void> {
    checkSid(callSid);
    if (!isCallMode(change.mode)) throw new RecordsError('RECORDS_ERR_WRITE', 'mode');
    const at = time(change.at, 'at');
    await this.db.transaction(async (tx) => {
      await this.ensureCall(tx, callSid, at);
      await this.modeIn(tx, callSid, { mode: change.mode, at });
    });
  }

  private async modeIn(tx: SqlExec, callSid: string, change: ModeChange): Promise<void> {
    const [last] = await tx.all<{ detail: string | null }>("SELECT detail FROM events WHERE call_sid = ? AND kind = 'mode' ORDER BY at DESC, id DESC LIMIT 1", [callSid]);
    if (last?.detail === change.mode) return;
    await this.insertEvent(tx, callSid, { at: change.at, kind: 'mode', detail: change.mode }, change.at);
  }

  async endCall(callSid: string, end: EndCallInput): Promise<void> {
    checkSid(callSid);
    if (!(CALL_ENDINGS as readonly string[]).includes(end.endedBy)) throw new RecordsError('RECORDS_ERR_WRITE', 'endedBy');
    const at = time(end.at, 'at');
    await this.db.transaction(async (tx) => {
      await this.ensureCall(tx, callSid, at);
      // why: 'unknown' comes from whoever noticed a call without an ending (a restart); it must not erase a real report.
      const guard = end.endedBy === 'unknown' ? " AND (ended_by IS NULL OR ended_by = 'unknown')" : '';
      await tx.run(`UPDATE calls SET ended_at = ?, ended_by = ?, end_code = ?${end.endedBy === 'fallback' ? ', fallback = 1' : ''} WHERE call_sid = ?${guard}`, [
        at,
        end.endedBy,
        cut(this.policy.text(end.code), MAX_NAME),
        callSid,
      ]);
    });
  }

  async getCall(callSid: string): Promise<CallDetail | undefined> {
    if (typeof callSid !== 'string' || callSid === '' || callSid.length > MAX_SID) return undefined;
    const [row] = await this.db.all<CallRow>(`SELECT ${CALL_COLUMNS} FROM calls c WHERE c.call_sid = ?`, [callSid]);
    if (!row) return undefined;
    const turnRows = await this.db.all<{ turn: number; mode: string; at: number; caller_text: string | null; agent_text: string | null; interrupted: number; failed: number; spans: string }>(
      'SELECT turn, mode, at, caller_text, agent_text, interrupted, failed, spans FROM turns WHERE call_sid = ? ORDER BY at, mode, turn',
      [callSid],
    );
    const eventRows = await this.db.all<{ at: number; kind: string; code: string | null; detail: string | null }>(
      'SELECT at, kind, code, detail FROM events WHERE call_sid = ? ORDER BY at, id',
      [callSid],
    );
    const events: CallEventRecord[] = eventRows.map((e) => ({
      at: Number(e.at),
      kind: e.kind as CallEventRecord['kind'],
      ...(e.code != null ? { code: e.code } : {}),
      ...(e.detail != null ? { detail: e.detail } : {}),
    }));
    const turns: TurnRecord[] = turnRows.map((t) => ({
      turn: Number(t.turn),
      mode: t.mode === 'record' ? 'record' : 'stream',
      at: Number(t.at),
      callerText: t.caller_text,
      agentText: t.agent_text,
      interrupted: Number(t.interrupted) === 1,
      failed: Number(t.failed) === 1,
      spans: JSON.parse(t.spans) as TurnSpans,
    }));
    return { ...toCallRecord(row, modesOf(events)), turns, events };
  }

  async listCalls(query: CallQuery = {}): Promise<CallPage> {
    if (query.direction !== undefined && query.direction !== 'phone' && query.direction !== 'browser') throw new RecordsError('RECORDS_ERR_BAD_QUERY', 'direction');
    const { sql, params, limit } = callPageSql(query);
    const rows = await this.db.all<CallRow>(sql, params);
    const page = rows.slice(0, limit);
    const modes = new Map<string, ModeChange[]>();
    if (page.length > 0) {
      const marks = page.map(() => '?').join(', ');
      const modeRows = await this.db.all<{ call_sid: string; at: number; detail: string | null }>(
        `SELECT call_sid, at, detail FROM events WHERE kind = 'mode' AND call_sid IN (${marks}) ORDER BY at, id`,
        page.map((r) => r.call_sid),
      );
      for (const m of modeRows) {
        if (!isCallMode(m.detail)) continue;
        const list = modes.get(m.call_sid) ?? [];
        list.push({ mode: m.detail, at: Number(m.at) });
        modes.set(m.call_sid, list);
      }
    }
    const last = page.at(-1);
    return {
      calls: page.map((r) => toCallRecord(r, modes.get(r.call_sid) ?? [])),
      nextCursor: rows.length > limit && last ? encodeCursor({ startedAt: Number(last.started_at), callSid: last.call_sid }) : null,
    };
  }

  overview(from: number, to: number, bucketMs?: number) {
    return overview(this.db, from, to, bucketMs);
  }

  async erase(callSid: string): Promise<boolean> {
    if (typeof callSid !== 'string' || callSid === '' || callSid.length > MAX_SID) return false;
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM turns WHERE call_sid = ?', [callSid]);
      await tx.run('DELETE FROM events WHERE call_sid = ?', [callSid]);
      return (await tx.run('DELETE FROM calls WHERE call_sid = ?', [callSid])) > 0;
    });
  }

  async purge(olderThan: number): Promise<number> {
    if (!Number.isFinite(olderThan)) throw new RecordsError('RECORDS_ERR_BAD_QUERY', 'olderThan');
    const cutoff = Math.floor(olderThan);
    return this.db.transaction(async (tx) => {
      const old = 'SELECT call_sid FROM calls WHERE started_at < ?';
      await tx.run(`DELETE FROM turns WHERE call_sid IN (${old})`, [cutoff]);
      await tx.run(`DELETE FROM events WHERE call_sid IN (${old})`, [cutoff]);
      return tx.run('DELETE FROM calls WHERE started_at < ?', [cutoff]);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function modesOf(events: readonly CallEventRecord[]): ModeChange[] {
  return events.flatMap((e) => (e.kind === 'mode' && isCallMode(e.detail) ? [{ mode: e.detail, at: e.at }] : []));
}
