// One process's metrics, read off its own log timeline (TURN, WS_START/WS_STOP, PROVIDER_ERROR, FALLBACK_RECORD, coded warn/error lines).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { EVENTS } from '../events';
import { tapLogs } from '../log-tap';
import { MetricRegistry, type Labels } from './metric-registry';
import { RollingWindow } from './rolling-window';

/** Turn latencies in ms, from a snappy 25 ms span to a RECORD turn near Twilio's 15 s limit. */
export const SPAN_BUCKETS_MS = [25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 15000] as const;
/** The event-loop delay percentiles are over windows this long (pm2 and the scrape read the last finished one). */
export const LOOP_WINDOW_MS = 5_000;
/** Sampling interval of the event-loop monitor, ms. */
const LOOP_RESOLUTION_MS = 20;
/** `Turn latency p95` in pm2's panel covers the turns of the last five minutes. */
const LATENCY_WINDOW_MS = 5 * 60_000;
const WARN = 40;
const LEVEL_NAMES: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };

/** One value in pm2's panel (`pm2 show <app>`, `pm2 monit`). */
export interface Pm2Metric {
  name: string;
  unit?: string;
  read(): number;
}

/** "endOfSpeech→sttFinal" → "end_of_speech_to_stt_final"; "fetchMs" → "fetch". */
export function spanLabel(key: string): string {
  return key
    .replace(/Ms$/, '')
    .replace(/→/g, '_to_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class ServiceMetrics {
  readonly registry = new MetricRegistry();
  private readonly active = new Set<string>();
  private readonly turnTimes: RollingWindow;
  private readonly latencies: RollingWindow;
  private loop: IntervalHistogram | undefined;
  private loopTimer: NodeJS.Timeout | undefined;
  /** Event-loop delay of the last finished window, ms. */
  private loopStats = { p50: 0, p95: 0, p99: 0, max: 0 };

  readonly calls = this.registry.counter('tva_calls_total', 'Incoming calls answered by webhooks, by mode (WS: streamed, RECORD: turn by turn).');
  readonly streams = this.registry.counter('tva_streams_started_total', 'Media streams started (a valid start) on the media worker.');
  readonly streamsEnded = this.registry.counter('tva_streams_ended_total', 'Media streams closed, by how they ended (endedBy).');
  readonly turns = this.registry.counter('tva_turns_total', 'Agent turns, by mode (stream, record) and outcome.');
  readonly spans = this.registry.histogram('tva_turn_span_ms', 'Latency of each span of a turn (the TURN and RECORD_TURN lines), ms.', SPAN_BUCKETS_MS);
  readonly fallbacks = this.registry.counter('tva_fallbacks_total', 'Fallbacks, by kind: apology (a turn ended in the apology phrase), record (the call went on in RECORD mode).');
  readonly bargeIns = this.registry.counter('tva_barge_ins_total', 'Caller interruptions of the agent (barge-in).');
  readonly providerErrors = this.registry.counter('tva_provider_errors_total', 'Provider failures (STT, LLM, TTS), by stage, provider and code.');
  readonly errors = this.registry.counter('tva_errors_total', 'Log lines at warn or above that carry an error code, by level and code.');

  constructor(readonly service: string, now: () => number = Date.now) {
    this.turnTimes = new RollingWindow(60_000, 5000, now);
    this.latencies = new RollingWindow(LATENCY_WINDOW_MS, 2000, now);
    this.registry.gauge('tva_up', 'The process answered this scrape (1), or did not (0, added by the router).', () => 1);
    this.registry.gauge('tva_active_calls', 'Media streams in progress on the media worker.', () => (service === 'media' ? this.active.size : []));
    this.registry.gauge('tva_event_loop_delay_ms', `Event-loop delay over the last ${LOOP_WINDOW_MS / 1000} s, ms, by statistic.`, () =>
      Object.entries(this.loopStats).map(([stat, v]): [Labels, number] => [{ stat }, v]),
    );
    this.registry.gauge('tva_process_resident_memory_bytes', 'Resident set size, bytes.', () => process.memoryUsage.rss());
    this.registry.gauge('tva_process_cpu_seconds_total', 'User and system CPU time used, seconds.', () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    }, 'counter');
    this.registry.gauge('tva_process_uptime_seconds', 'Seconds since the process started.', () => process.uptime());
  }

  /** Starts reading the log timeline and the event loop; returns stop. */
  start(): () => void {
    const untap = tapLogs((level, fields, bindings) => this.observe(level, fields, bindings));
    this.loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loop.enable();
    this.loopTimer = setInterval(() => this.rollLoopWindow(), LOOP_WINDOW_MS);
    this.loopTimer.unref();
    return () => {
      untap();
      clearInterval(this.loopTimer);
      this.loop?.disable();
    };
  }

  /** The Prometheus text of this process; every sample carries service="<name>". */
  text(): string {
    return this.registry.render({ service: this.service });
  }

  /** Turns that finished in the last minute (either mode). */
  turnsPerMinute(): number {
    return this.turnTimes.countSince(60_000);
  }

  /** p95 of the turn latency (end of speech → first audio sent; a RECORD turn's total) over the last five minutes, ms. */
  turnLatencyP95(): number {
    return Math.round(this.latencies.percentile(95));
  }

  activeCalls(): number {
    return this.active.size;
  }

  eventLoopDelayP95(): number {
    return this.loopStats.p95;
  }

  /** What pm2 shows for this process: the call figures where this process sees calls, the event loop everywhere. */
  pm2Metrics(): Pm2Metric[] {
    const loop: Pm2Metric = { name: 'Event loop delay p95', unit: 'ms', read: () => this.eventLoopDelayP95() };
    const errors: Pm2Metric = { name: 'Errors (coded)', read: () => this.errors.total() };
    const calls: Pm2Metric[] = [
      { name: 'Turns/min', read: () => this.turnsPerMinute() },
      { name: 'Turn latency p95', unit: 'ms', read: () => this.turnLatencyP95() },
      { name: 'Fallbacks', read: () => this.fallbacks.total() },
      { name: 'Provider errors', read: () => this.providerErrors.total() },
    ];
    if (this.service === 'media') return [{ name: 'Active calls', read: () => this.activeCalls() }, ...calls, loop, errors];
    if (this.service === 'webhooks') return [{ name: 'Calls', read: () => this.calls.total() }, ...calls, loop, errors];
    return [loop, errors];
  }

  /** One log call (the tap). Public for tests. */
  observe(level: number, f: Readonly<Record<string, unknown>>, bindings: () => Record<string, unknown>): void {
    const code = str(f['code']);
    if (level >= WARN && code) this.errors.inc({ level: LEVEL_NAMES[level] ?? String(level), code });
    switch (f['event']) {
      case EVENTS.WS_START: {
        const b = bindings();
        this.streams.inc();
        this.active.add(str(b['streamSid']) ?? str(b['callSid']) ?? 'unknown');
        break;
      }
      case EVENTS.WS_STOP: {
        const b = bindings();
        this.active.delete(str(b['streamSid']) ?? str(b['callSid']) ?? 'unknown');
        this.streamsEnded.inc({ ended_by: str(f['endedBy']) ?? 'unknown' });
        break;
      }
      case EVENTS.TURN:
        this.onTurn(f);
        break;
      case EVENTS.RECORD_TURN:
        this.onRecordTurn(f);
        break;
      case EVENTS.BARGE_IN:
        this.bargeIns.inc();
        break;
      case EVENTS.PROVIDER_ERROR:
        this.providerErrors.inc({ stage: str(f['stage']) ?? 'unknown', provider: str(f['provider']) ?? 'unknown', code: code ?? 'unknown' });
        break;
      case EVENTS.INCOMING_CALL:
        this.calls.inc({ mode: str(f['mode']) ?? 'unknown' });
        break;
      case EVENTS.FALLBACK_RECORD: {
        // why: RECORD mode logs one line with a `reason` as it starts; `forced` is CALL_MODE=RECORD, not a fallback.
        const reason = str(f['reason']);
        if (reason && reason !== 'forced') this.fallbacks.inc({ kind: 'record', reason });
        break;
      }
      default:
        break;
    }
  }

  private onTurn(f: Readonly<Record<string, unknown>>): void {
    const failed = str(f['failed']);
    this.turns.inc({ mode: 'stream', outcome: failed ? 'failed' : f['interrupted'] === true ? 'interrupted' : 'ok' });
    this.turnTimes.add(1);
    if (failed) this.fallbacks.inc({ kind: 'apology', reason: failed });
    for (const [key, value] of Object.entries(f)) {
      const ms = num(value);
      if (ms !== undefined && key.includes('→')) this.spans.observe({ mode: 'stream', span: spanLabel(key) }, ms);
    }
    const latency = num(f['endOfSpeech→firstAudio']);
    if (latency !== undefined) this.latencies.add(latency);
  }

  private onRecordTurn(f: Readonly<Record<string, unknown>>): void {
    const outcome = str(f['outcome']) ?? 'unknown';
    this.turns.inc({ mode: 'record', outcome });
    this.turnTimes.add(1);
    if (outcome === 'failed') this.fallbacks.inc({ kind: 'apology', reason: str(f['stage']) ?? 'unknown' });
    for (const [key, value] of Object.entries(f)) {
      const ms = num(value);
      if (ms !== undefined && key.endsWith('Ms')) this.spans.observe({ mode: 'record', span: spanLabel(key) }, ms);
    }
    const total = num(f['totalMs']);
    if (total !== undefined && outcome !== 'not-heard') this.latencies.add(total);
  }

  private rollLoopWindow(): void {
    const h = this.loop;
    if (!h) return;
    // why: Node 20 records the whole interval between samples (an idle loop reads ≈ resolution, checked here), so the
    // delay is what exceeds the resolution.
    const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100);
    this.loopStats = { p50: ms(h.percentile(50)), p95: ms(h.percentile(95)), p99: ms(h.percentile(99)), max: ms(h.max) };
    h.reset();
  }
}
