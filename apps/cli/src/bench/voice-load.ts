// `npm run bench`: N concurrent simulated calls through the router against fake providers; prints a markdown report.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { SimulatedCall } from '@tva/call-simulator';
import { speechLikeMulaw } from '@tva/providers';
import type { Stack } from '../stack/start-stack';
import { END_SILENCE_MS, mediaStats, startBenchStack } from './bench-stack';
import { pollHealth } from '../stack/poll-health';
import { busyPercent, fmt, machineCpu, qRow, quantiles } from './stats';

const SPANS = ['endOfSpeech→sttFinal', 'sttFinal→llmFirstToken', 'llmFirstToken→ttsFirstAudio', 'ttsFirstAudio→mediaTx'] as const;
const SPEECH = speechLikeMulaw(600);

interface LevelResult {
  calls: number;
  sustained: number;
  turnsSent: number;
  serverAdded: number[];
  spans: Record<string, number[]>;
  clientAdded: number[];
  loopP99: number;
  loopMax: number;
  cpuCores: number;
  machineBusyPct: number;
  rssPerCallMb: number;
  health: Awaited<ReturnType<ReturnType<typeof pollHealth>['stop']>>;
  errors: string[];
  console?: ConsoleResult;
}

/** `--console-pages`: incoming_call latency while N console pages are open, and what the webhooks process spent. */
interface ConsoleResult {
  pages: number;
  incoming: number[];
  incomingFailures: string[];
  webhooksCpuCores: number;
  pageRequests: number;
  pageLatencies: number[];
  pageErrors: number;
  pageErrorSamples: string[];
  sseEvents: number;
  sseMaxOpen: number;
}

const PROBE_EVERY_MS = 200;
const PAGE_REFRESH_MS = 2000;

/** Runs console-load.js in its own process; stop() closes its stdin and returns the JSON line it printed. */
function consoleLoad(args: string[]): { stop<T>(): Promise<T> } {
  const child = spawn(process.execPath, [path.join(__dirname, 'console-load.js'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    async stop<T>() {
      child.stdin.end();
      await exited;
      return JSON.parse(out || '{}') as T;
    },
  };
}

/** User + system CPU of a process so far, in ms (Linux /proc; NaN elsewhere). */
async function processCpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return NaN;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // why: the command name (field 2) may hold spaces; utime and stime are fields 14 and 15, counted after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

async function handshakeMs(url: string): Promise<number> {
  const started = performance.now();
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const ms = performance.now() - started;
  ws.terminate();
  return ms;
}

async function routerOverhead(stack: Stack, n: number): Promise<{ via: number[]; direct: number[] }> {
  const via: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < n; i++) {
    via.push(await handshakeMs(stack.wsUrl));
    direct.push(await handshakeMs(`ws://127.0.0.1:${stack.mediaPort}/ws/twilio-media`));
  }
  return { via, direct };
}

/** One caller: greeting, then a 600 ms utterance every 4 s until `untilMs`; returns turn latencies seen by the caller. */
async function caller(stack: Stack, untilMs: number, delayMs: number, llmMs: number, ttsMs: number, out: LevelResult): Promise<void> {
  await new Promise((r) => setTimeout(r, delayMs));
  let call: SimulatedCall;
  try {
    call = await SimulatedCall.connect({ url: stack.wsUrl, connectTimeoutMs: 10000 });
  } catch (err) {
    out.errors.push((err as Error).message);
    return;
  }
  let speechEnd = 0;
  let waiting = false;
  let answered = 0;
  call.on('media', () => {
    if (!waiting) return;
    waiting = false;
    answered += 1;
    out.clientAdded.push(performance.now() - speechEnd - END_SILENCE_MS - llmMs - ttsMs);
  });
  let turns = 0;
  try {
    await call.sendSilence(1500);
    while (performance.now() < untilMs && call.isOpen) {
      await call.sendAudio(SPEECH);
      speechEnd = performance.now();
      waiting = true;
      turns += 1;
      await call.sendSilence(3400);
    }
  } catch (err) {
    // why: a call the server closes mid-utterance rejects the pacing; that is this call's failure, not the bench's crash.
    out.errors.push(`call ${call.result().streamSid}: ${(err as Error).message} after ${turns} turns`);
  }
  out.turnsSent += turns;
  const open = call.isOpen;
  await call.stop();
  if (open && answered >= turns - 1 && turns > 0) out.sustained += 1;
  else out.errors.push(`call ${call.result().streamSid}: ${answered}/${turns} turns answered, open=${open}, ${call.result().errors.join('; ')}`);
}

async function runLevel(stack: Stack, calls: number, seconds: number, rampS: number, llmMs: number, ttsMs: number, consolePages?: number): Promise<LevelResult> {
  const out: LevelResult = { calls, sustained: 0, turnsSent: 0, serverAdded: [], spans: {}, clientAdded: [], loopP99: NaN, loopMax: NaN, cpuCores: NaN, machineBusyPct: NaN, rssPerCallMb: NaN, health: { latencies: [], failures: [], n: 0, p50: NaN, p99: NaN, max: NaN }, errors: [] };
  const idle = await mediaStats(stack, false);
  const t0 = performance.now();
  const until = t0 + (rampS + seconds) * 1000;
  const logsBefore = stack.logs().length;
  const running = Array.from({ length: calls }, (_, i) => caller(stack, until, (i * rampS * 1000) / calls, llmMs, ttsMs, out));
  await new Promise((r) => setTimeout(r, rampS * 1000 + 2000));
  // steady state: every call is up
  const health = pollHealth(`${stack.baseUrl}/healthz`, 50);
  const before = await mediaStats(stack, true);
  const webhooksPid = consolePages === undefined ? undefined : await stack.pidOf('webhooks');
  const pages = consolePages ? consoleLoad(['pages', stack.baseUrl, String(consolePages), String(PAGE_REFRESH_MS)]) : undefined;
  const prober = consolePages === undefined ? undefined : consoleLoad(['probe', stack.baseUrl, String(PROBE_EVERY_MS)]);
  const whCpu0 = await processCpuMs(webhooksPid);
  const cpu0 = machineCpu();
  const wall0 = performance.now();
  await new Promise((r) => setTimeout(r, Math.max(1000, seconds * 1000 - 4000)));
  const after = await mediaStats(stack, false);
  const whCpu1 = await processCpuMs(webhooksPid);
  const wallMs = performance.now() - wall0;
  out.machineBusyPct = busyPercent(cpu0, machineCpu());
  out.health = await health.stop();
  if (consolePages !== undefined && prober) {
    const probe = await prober.stop<{ latencies?: number[]; failures?: string[] }>();
    const pg = pages ? await pages.stop<{ requests?: number; latencies?: number[]; errorCount?: number; errors?: string[]; sseEvents?: number; sseMaxOpen?: number }>() : {};
    out.console = {
      pages: consolePages,
      incoming: probe.latencies ?? [],
      incomingFailures: probe.failures ?? ['prober printed nothing'],
      webhooksCpuCores: (whCpu1 - whCpu0) / wallMs,
      pageRequests: pg.requests ?? 0,
      pageLatencies: pg.latencies ?? [],
      pageErrors: pg.errorCount ?? 0,
      pageErrorSamples: pg.errors ?? [],
      sseEvents: pg.sseEvents ?? 0,
      sseMaxOpen: pg.sseMaxOpen ?? 0,
    };
  }
  await Promise.all(running);
  out.loopP99 = after.eventLoopDelayMs.p99;
  out.loopMax = after.eventLoopDelayMs.max;
  out.cpuCores = (after.cpuUs.user + after.cpuUs.system - before.cpuUs.user - before.cpuUs.system) / 1000 / wallMs;
  out.rssPerCallMb = (after.rssBytes - idle.rssBytes) / calls / 1024 / 1024;
  const turnLines = stack.logs().slice(logsBefore).filter((l) => l['event'] === 'TURN' && typeof l['endOfSpeech→firstAudio'] === 'number');
  out.serverAdded = turnLines.map((l) => (l['endOfSpeech→firstAudio'] as number) - END_SILENCE_MS - llmMs - ttsMs);
  for (const k of SPANS) out.spans[k] = turnLines.map((l) => l[k]).filter((v): v is number => typeof v === 'number');
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '50,100,200' },
      seconds: { type: 'string', default: '30' },
      ramp: { type: 'string', default: '10' },
      'llm-ms': { type: 'string', default: '200' },
      'tts-ms': { type: 'string', default: '100' },
      // N console clients during each level's steady window, and an incoming_call prober (0: the prober alone).
      'console-pages': { type: 'string' },
    },
  });
  const consolePages = values['console-pages'] === undefined ? undefined : Number(values['console-pages']);
  if (consolePages !== undefined && !(Number.isInteger(consolePages) && consolePages >= 0)) throw new Error(`--console-pages must be a whole number, not ${values['console-pages']}`);
  const levels = (values.calls ?? '200').split(',').map(Number);
  const seconds = Number(values.seconds);
  const rampS = Number(values.ramp);
  const llmMs = Number(values['llm-ms']);
  const ttsMs = Number(values['tts-ms']);
  // why: every console page and the prober come from 127.0.0.1, one client address to the webhooks' limiter
  // (20 pages × 3 requests per 2 s is 1 800/min on their own); the limit stays on for everything else.
  const bench = await startBenchStack(llmMs, ttsMs, consolePages === undefined ? {} : { WEBHOOK_RATE_LIMIT: '100000' });
  const { stack } = bench;
  try {
    const overhead = await routerOverhead(stack, 100);
    const lines: string[] = [];
    lines.push(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
    lines.push(`Fakes: LLM first token ${llmMs} ms, TTS first chunk ${ttsMs} ms; end-of-turn silence ${END_SILENCE_MS} ms; each caller says 600 ms of speech every 4 s.`);
    lines.push('');
    lines.push('| calls | sustained | turns (server TURN lines) | server-added p50 / p95 / p99 ms | caller-seen added p50 / p99 ms | media event-loop delay p99 / max ms | media CPU (cores) | machine CPU busy | RSS per call MB | /healthz p50 / p99 / max ms (fails) |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    const spanRows: string[] = [];
    const consoleRows: string[] = [];
    for (const calls of levels) {
      process.stderr.write(`bench: ${calls} calls for ${seconds} s (ramp ${rampS} s)…\n`);
      const r = await runLevel(stack, calls, seconds, rampS, llmMs, ttsMs, consolePages);
      const s = quantiles(r.serverAdded);
      const c = quantiles(r.clientAdded);
      lines.push(
        `| ${calls} | ${r.sustained} | ${s.n} | ${fmt(s.p50)} / ${fmt(s.p95)} / ${fmt(s.p99)} | ${fmt(c.p50)} / ${fmt(c.p99)} | ${fmt(r.loopP99)} / ${fmt(r.loopMax)} | ${fmt(r.cpuCores, 2)} | ${fmt(r.machineBusyPct, 0)} % | ${fmt(r.rssPerCallMb, 2)} | ${fmt(r.health.p50)} / ${fmt(r.health.p99)} / ${fmt(r.health.max)} (${r.health.failures.length}) |`,
      );
      if (r.errors.length) lines.push(`<!-- ${calls} calls: ${r.errors.length} problems, first: ${r.errors.slice(0, 3).join(' | ').replace(/--/g, '-')} -->`);
      process.stderr.write(`${lines[lines.length - 1]}\n`);
      if (r.console) {
        const k = r.console;
        const q = quantiles(k.incoming);
        const pq = quantiles(k.pageLatencies);
        consoleRows.push(
          `| ${calls} | ${k.pages} | ${q.n} (${k.incomingFailures.length} failed) | ${fmt(q.p50)} / ${fmt(q.p95)} / ${fmt(q.p99)} / ${fmt(q.max)} | ${fmt(k.webhooksCpuCores, 3)} | ${k.pages ? `${k.pageRequests} (${k.pageErrors} errors), p50 / p99 ${fmt(pq.p50)} / ${fmt(pq.p99)} ms` : '—'} | ${k.pages ? `${k.sseMaxOpen} open, ${k.sseEvents} events` : '—'} |`,
        );
        if (k.incomingFailures.length || k.pageErrors) lines.push(`<!-- console: ${[...k.incomingFailures.slice(0, 3), ...k.pageErrorSamples.slice(0, 3)].join(' | ').replace(/--/g, '-')} -->`);
        process.stderr.write(`${consoleRows[consoleRows.length - 1]}\n`);
      }
      spanRows.push(`| ${calls} | ${SPANS.map((k) => `${fmt(quantiles(r.spans[k] ?? []).p50)} / ${fmt(quantiles(r.spans[k] ?? []).p99)}`).join(' | ')} |`);
      await new Promise((res) => setTimeout(res, 3000));
    }
    lines.push('');
    lines.push(`Where the time goes (server TURN spans, p50 / p99 ms; the fakes' own delays are inside them):`);
    lines.push('');
    lines.push(`| calls | ${SPANS.join(' | ')} |`);
    lines.push(`|---|${SPANS.map(() => '---').join('|')}|`);
    lines.push(...spanRows);
    if (consoleRows.length) {
      lines.push('');
      lines.push(
        `incoming_call through the router while console pages are open (steady window; a prober in its own process POSTs an unsigned incoming_call every ${PROBE_EVERY_MS} ms; each page holds /api/live/events and every ${PAGE_REFRESH_MS / 1000} s reloads /api/calls, one call's page and /api/overview; WEBHOOK_RATE_LIMIT raised for the bench):`,
      );
      lines.push('');
      lines.push('| calls | console pages | incoming_call n | incoming_call p50 / p95 / p99 / max ms | webhooks CPU (cores) | console requests | SSE streams |');
      lines.push('|---|---|---|---|---|---|---|');
      lines.push(...consoleRows);
    }
    lines.push('');
    lines.push('Router overhead (WebSocket handshake, 100 each, alternating, idle stack):');
    lines.push('');
    lines.push('| path | n | p50 ms | p95 ms | p99 ms | max ms |');
    lines.push('|---|---|---|---|---|---|');
    lines.push(qRow('through the router', overhead.via));
    lines.push(qRow('direct to the media worker', overhead.direct));
    lines.push(`\nRouter/direct p50 ratio: ${fmt(quantiles(overhead.via).p50 / quantiles(overhead.direct).p50, 2)}`);
    console.log(lines.join('\n'));
  } finally {
    await bench.stop();
  }
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
