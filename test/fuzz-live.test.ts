// Fuzzes the live /ws endpoint through the router under pm2 while 3 good calls stream: garbage never crashes, leaks or disturbs a good call.
import t from 'tap';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import fc from 'fast-check';
import { parseServerMessage, twilioMessage } from '@tva/twilio-media-stream';
import { startStack, type Stack } from '../apps/cli/src/stack/start-stack';
import { httpRequest } from '../apps/cli/src/stack/http-get';
import { expectationFor, frameStats, rawCaseArb, rawFrameCount, runRaw, wsCaseArb, wsLevelViolation, type Frame, type FuzzCase, type RawCase, type WsCase } from '../test-support/fuzz/live-cases';

const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const MIN_FRAMES = 10_000;
const CONCURRENCY = 40;
const ECHO_CHUNK = 800; // the echo agent's chunk
const FRAME = 160; // 20 ms of μ-law

// ---------------------------------------------------------------- a good call, streaming all along

class GoodCall {
  readonly sid: string;
  private readonly ws: WebSocket;
  private readonly sent: Buffer[] = [];
  sentBytes = 0;
  echoedBytes = 0;
  echoMessages = 0;
  marks = 0;
  maxGapMs = 0;
  private lastEchoAt = 0;
  private measuring = false;
  closed: { code: number; reason: string } | undefined;
  readonly problems: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 1;
  startedAt = 0;
  stoppedAt = 0;

  constructor(url: string, i: number) {
    this.sid = `MZgood${i}${crypto.randomBytes(13).toString('hex')}`;
    this.ws = new WebSocket(url);
    this.ws.on('error', (err) => this.problems.push(`error: ${err.message}`));
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.send(twilioMessage.connected());
    this.ws.send(twilioMessage.start({ streamSid: this.sid, callSid: `CA${this.sid.slice(2)}`, accountSid: 'ACgood', customParameters: { call_sid: 'good' }, sequenceNumber: 1 }));
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), 20);
  }

  /** Sends every 20 ms frame due by the wall clock (a starved test process catches up, as Twilio's jitter would). */
  private tick(): void {
    const due = Math.floor((Date.now() - this.startedAt) / 20) + 1;
    while (this.sentBytes / FRAME < due && this.ws.readyState === WebSocket.OPEN) this.sendFrame();
  }

  private sendFrame(): void {
    const payload = crypto.randomBytes(FRAME);
    this.seq++;
    this.ws.send(twilioMessage.media({ streamSid: this.sid, sequenceNumber: this.seq, chunk: this.seq - 1, timestamp: (this.seq - 2) * 20, payload }));
    this.sent.push(payload);
    this.sentBytes += FRAME;
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) return void this.problems.push('server sent a binary frame');
    let msg;
    try {
      msg = parseServerMessage(data.toString('utf8'), this.sid);
    } catch (err) {
      return void this.problems.push(`invalid server frame ${(err as Error).message}: ${data.toString('utf8').slice(0, 200)}`);
    }
    if (msg.event === 'mark') return void this.marks++;
    if (msg.event !== 'media') return void this.problems.push(`unexpected ${msg.event}`);
    const bytes = Buffer.from(msg.media.payload, 'base64');
    // The echo is the caller's own audio, in order, byte for byte (another call's audio would not match).
    const from = this.echoedBytes / FRAME;
    const want = Buffer.concat(this.sent.slice(from, from + bytes.length / FRAME));
    if (bytes.length % FRAME !== 0 || !want.equals(bytes)) this.problems.push(`echo at byte ${this.echoedBytes} (${bytes.length} B) is not what was sent`);
    this.echoedBytes += bytes.length;
    this.echoMessages++;
    const now = Date.now();
    if (this.measuring && this.lastEchoAt > 0) this.maxGapMs = Math.max(this.maxGapMs, now - this.lastEchoAt);
    this.lastEchoAt = now;
  }

  /** From now on, gaps between echoes count (the fuzz is running). */
  measure(on: boolean): void {
    this.measuring = on;
  }

  stopSending(): void {
    clearInterval(this.timer);
    this.stoppedAt ||= Date.now();
  }

  /** Stops sending, with a partial echo chunk left over (so the agent has something to flush at `stop`). */
  stopWithRemainder(): void {
    this.stopSending();
    if (this.sentBytes % ECHO_CHUNK === 0) this.sendFrame();
  }

  /** Waits until every whole echo chunk of what was sent has come back. */
  async drain(): Promise<void> {
    const whole = Math.floor(this.sentBytes / ECHO_CHUNK) * ECHO_CHUNK;
    const deadline = Date.now() + 5000;
    while (this.echoedBytes < whole && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Sends `stop` (the echo agent then flushes its last partial chunk); reports what came back and how the server reacted. */
  async stop(): Promise<{ flushed: number; closedBy: { code: number; reason: string } | undefined }> {
    const echoed = this.echoedBytes;
    this.ws.send(twilioMessage.stop({ streamSid: this.sid, sequenceNumber: ++this.seq, accountSid: 'ACgood', callSid: `CA${this.sid.slice(2)}` }));
    // why: this proves nothing is sent and no close comes after `stop`; "nothing" has no event, so it is a window:
    // up to 1 s (cut short if a flush or a close does come), then 100 ms for a close that would follow a flush.
    const deadline = Date.now() + 1000;
    while (this.echoedBytes < this.sentBytes && !this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    return { flushed: this.echoedBytes - echoed, closedBy: this.closed };
  }

  terminate(): void {
    this.stopSending();
    this.ws.terminate();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((r) => (this.closed ? r() : this.ws.once('close', () => r())));
    this.ws.close(1000, 'done');
    await withTimeout(closed, 3000);
  }
}

// ---------------------------------------------------------------- driving the fuzz cases

interface Tally {
  sockets: number;
  frames: number;
  /** Frames of messages that are not a valid Twilio message even on their own (bad JSON, wrong fields, binary, too big, bad UTF-8, junk). */
  garbageFrames: number;
  /** Client sockets that reached open (each is one CallSession, so one WS_STOP line). */
  upgraded: number;
  /** Raw cases that timed out before any answer (a 101 may have been missed). */
  rawTimeouts: number;
  serverFrames: number;
  byLabel: Map<string, { cases: number; frames: number; codes: Map<string, number> }>;
  mismatches: string[];
  /** Probe ids the server must have refused (the stream was still valid), and ids it must have ignored. */
  probesExpected: Set<number>;
  probesIgnored: Set<number>;
  slowStarts: number;
  /** Streams that ended 1006 (no close frame) because the router cut them (see the known issue below). */
  cutByRouter: string[];
}

function newTally(): Tally {
  return { sockets: 0, frames: 0, garbageFrames: 0, upgraded: 0, rawTimeouts: 0, serverFrames: 0, byLabel: new Map(), mismatches: [], probesExpected: new Set(), probesIgnored: new Set(), slowStarts: 0, cutByRouter: [] };
}

function note(tally: Tally, label: string, frames: number, outcome: string): void {
  const entry = tally.byLabel.get(label) ?? { cases: 0, frames: 0, codes: new Map<string, number>() };
  entry.cases++;
  entry.frames += frames;
  entry.codes.set(outcome, (entry.codes.get(outcome) ?? 0) + 1);
  tally.byLabel.set(label, entry);
  tally.sockets++;
  tally.frames += frames;
}

function short(frames: Frame[]): string {
  return JSON.stringify(frames.map((f) => (f.kind === 'text' ? f.data.slice(0, 160) : `${f.kind}:${f.data.subarray(0, 40).toString('hex')}(${f.data.length})`))).slice(0, 900);
}

/** Sends one message, fragmented when asked; returns the number of frames written. */
function sendFrame(ws: WebSocket, f: Frame, pingBetween: boolean): number {
  if (f.kind === 'binary') {
    ws.send(f.data, { binary: true });
    return 1;
  }
  const bytes = f.kind === 'text' ? Buffer.from(f.data, 'utf8') : f.data;
  if (!f.fragments || bytes.length < 2) {
    ws.send(bytes, { binary: false });
    return 1;
  }
  const cuts = [...new Set(f.fragments.map((c) => 1 + (c % (bytes.length - 1))))].sort((a, b) => a - b);
  let prev = 0;
  let n = 0;
  for (const cut of [...cuts, bytes.length]) {
    ws.send(bytes.subarray(prev, cut), { binary: false, fin: cut === bytes.length });
    n++;
    if (pingBetween && cut !== bytes.length) ws.ping();
    prev = cut;
  }
  return n;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

async function runWsCase(stack: Stack, c: WsCase, id: number, tally: Tally): Promise<void> {
  const exp = expectationFor(c.frames);
  const ws = new WebSocket(stack.wsUrl);
  let error = '';
  ws.on('error', (err) => (error ||= err.message));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  const opened = await withTimeout(new Promise<boolean>((r) => (ws.once('open', () => r(true)), ws.once('close', () => r(false)))), 8000);
  if (opened !== true) {
    tally.mismatches.push(`${c.label} #${id}: upgrade failed (${opened === 'timeout' ? 'timeout' : error || 'closed'})`);
    ws.terminate();
    note(tally, c.label, 0, 'no-upgrade');
    return;
  }
  tally.upgraded++;
  ws.on('message', (data, isBinary) => {
    tally.serverFrames++;
    if (isBinary) return void tally.mismatches.push(`${c.label} #${id}: server sent a binary frame`);
    try {
      parseServerMessage((data as Buffer).toString('utf8'), exp.streamSid);
    } catch (err) {
      tally.mismatches.push(`${c.label} #${id}: server sent an invalid frame (${(err as Error).message})`);
    }
  });
  const startedAt = Date.now();
  let frames = 0;
  for (const f of c.frames) {
    const n = sendFrame(ws, f, c.pingBetweenFragments);
    frames += n;
    if (frameStats(f).garbage) tally.garbageFrames += n;
  }
  let want: { code: number; reasons: string[] } | undefined;
  if (exp.outcome === 'close') want = { code: exp.code as number, reasons: exp.reasons ?? [] };
  switch (c.ending.kind) {
    case 'probe':
      ws.send(`{"event":"fuzz-probe-${id}"}`);
      frames++;
      tally.garbageFrames++;
      if (exp.outcome === 'open') {
        tally.probesExpected.add(id);
        want = { code: 1007, reasons: ['TMS_ERR_UNKNOWN_EVENT'] };
      } else tally.probesIgnored.add(id);
      break;
    case 'terminate':
      ws.terminate();
      note(tally, c.label, frames, 'terminated');
      await closed;
      return;
    case 'close':
      ws.close(c.ending.code, c.ending.reason);
      want ??= { code: c.ending.code, reasons: [c.ending.reason] };
      break;
  }
  const got = await withTimeout(closed, 10000);
  if (got === 'timeout') {
    ws.terminate();
    tally.mismatches.push(`${c.label} #${id}: no close within 10 s; expected ${JSON.stringify(want)}; frames ${short(c.frames)}`);
    note(tally, c.label, frames, 'no-close');
    return;
  }
  note(tally, c.label, frames, String(got.code));
  if (want && got.code === want.code && want.reasons.includes(got.reason)) return;
  // Known router issue (reported): after a frame ws refuses, the media worker ends TCP right after its close frame; the
  // router then fails writing the client's remaining bytes to it and destroys the client socket, which can drop that
  // close frame (1006). Only tolerated when such a frame was sent at or after the first bad one; counted and reported.
  if (got.code === 1006 && exp.outcome === 'close' && c.frames.slice(exp.framesUntilVerdict - 1).some(wsLevelViolation)) {
    tally.cutByRouter.push(`${c.label} #${id}: expected ${JSON.stringify(want)}`);
    return;
  }
  // The one timing allowance: a stream still without start when the start deadline passed (a loaded machine).
  if (got.code === 1008 && got.reason === 'TMS_ERR_START_TIMEOUT' && exp.state !== 'streaming' && Date.now() - startedAt > 1500) {
    tally.slowStarts++;
    return;
  }
  tally.mismatches.push(`${c.label} #${id}: closed ${got.code} "${got.reason}", expected ${JSON.stringify(want)} (state ${exp.state}); frames ${short(c.frames)}`);
}

async function runRawCase(stack: Stack, c: RawCase, id: number, tally: Tally): Promise<void> {
  const r = await runRaw(stack.port, c, c.expectCodes.length > 0 ? 5000 : 1000);
  if (r.status === 101) tally.upgraded++;
  tally.garbageFrames += rawFrameCount(c) - c.validFrames;
  if (r.timedOut && r.status === undefined) tally.rawTimeouts++;
  note(tally, c.label.split(':')[0] as string, rawFrameCount(c), r.closeCode !== undefined ? String(r.closeCode) : r.status !== undefined ? `http ${r.status}` : r.timedOut ? 'timeout' : 'ended');
  // (HTTP/0.9: http-proxy-3 copies the client's own version into a refused upgrade's status line; see the report.)
  if (r.statusLine !== undefined && !/^HTTP\/\d\.\d \d{3} /.test(r.statusLine)) tally.mismatches.push(`${c.label} #${id}: malformed status line ${JSON.stringify(r.statusLine)}`);
  if (c.expectCodes.length > 0) {
    if (c.request === undefined && r.status !== 101) tally.mismatches.push(`${c.label} #${id}: a valid upgrade got ${r.statusLine ?? 'no answer'}`);
    else if (r.status === 101 && (r.closeCode === undefined || !c.expectCodes.includes(r.closeCode))) {
      tally.mismatches.push(`${c.label} #${id}: closed with ${r.closeCode ?? 'nothing'}${r.timedOut ? ' (timeout)' : ''}, expected ${c.expectCodes.join('|')}`);
    }
  }
}

async function runCases(stack: Stack, cases: FuzzCase[], firstId: number, tally: Tally): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i] as FuzzCase;
      if (c.type === 'ws') await runWsCase(stack, c, firstId + i, tally);
      else await runRawCase(stack, c, firstId + i, tally);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Frames a case writes, and how many of them are garbage on their own. */
function framesOf(c: FuzzCase): { frames: number; garbage: number } {
  if (c.type === 'raw') return { frames: rawFrameCount(c), garbage: rawFrameCount(c) - c.validFrames };
  const probe = c.ending.kind === 'probe' ? 1 : 0;
  return c.frames.reduce(
    (acc, f) => {
      const s = frameStats(f);
      return { frames: acc.frames + s.frames, garbage: acc.garbage + (s.garbage ? s.frames : 0) };
    },
    { frames: probe, garbage: probe },
  );
}

// ---------------------------------------------------------------- the test

interface MediaHealth {
  rssBytes: number;
  calls: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

async function mediaHealth(stack: Stack, reset = false): Promise<MediaHealth> {
  const r = await httpRequest(`http://127.0.0.1:${stack.mediaPort}/healthz${reset ? '?reset=1' : ''}`);
  return JSON.parse(r.body) as MediaHealth;
}

const MB = (b: number) => (b / 2 ** 20).toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('live endpoint under fuzz', async (t) => {
  const began = Date.now();
  t.comment(`fast-check seed ${SEED} (rerun with FUZZ_SEED=${SEED})`);
  // PING_INTERVAL_MS 3 s (default 10 s): a session orphaned by a client that vanished mid-upgrade would end by pong
  // timeout within ~6 s and show up in the orphan count below, so the leak check stays deterministic.
  const stack = await startStack({ AGENT: 'echo', START_TIMEOUT_MS: '2000', PING_INTERVAL_MS: '3000' });
  t.teardown(() => stack.stop());
  const pids = { media: await stack.pidOf('media'), router: await stack.pidOf('router'), webhooks: await stack.pidOf('webhooks') };
  t.ok(pids.media && pids.router && pids.webhooks, `pids ${JSON.stringify(pids)}`);

  // All cases are generated up front, so generation never stalls the good calls' 20 ms timers.
  const anyCase: fc.Arbitrary<FuzzCase> = fc.oneof({ weight: 6, arbitrary: wsCaseArb }, { weight: 1, arbitrary: rawCaseArb(stack.port) });
  let seed = SEED;
  /** Cases until they hold `minGarbage` frames that are garbage on their own. */
  const generate = (minGarbage: number): FuzzCase[] => {
    const out: FuzzCase[] = [];
    let garbage = 0;
    while (garbage < minGarbage) {
      for (const c of fc.sample(anyCase, { numRuns: 50, seed: seed++ })) {
        out.push(c);
        garbage += framesOf(c).garbage;
      }
    }
    return out;
  };
  const warmup = generate(1500);
  const main = generate(MIN_FRAMES + 200);
  const extra = [generate(700), generate(700)];
  t.comment(`generated ${warmup.length} + ${main.length} + ${extra[0]?.length} + ${extra[1]?.length} cases in ${Date.now() - began} ms (stack start included)`);

  const tally = newTally();
  let id = 0;
  const health = { polls: 0, bad: [] as string[], maxMs: 0 };
  let polling = true;
  const poller = (async () => {
    while (polling) {
      try {
        const r = await httpRequest(`${stack.baseUrl}/healthz`, { timeoutMs: 3000 });
        health.polls++;
        health.maxMs = Math.max(health.maxMs, r.ms);
        if (r.status !== 200) health.bad.push(`status ${r.status}`);
      } catch (err) {
        health.bad.push((err as Error).message);
      }
      // why: the poll interval of a probe that runs throughout, not a wait for anything.
      await sleep(200);
    }
  })();
  t.teardown(() => void (polling = false));

  // Warm-up: JIT, heap and buffers on every side, so the baseline is not the cold process (reported too).
  const cold = await mediaHealth(stack);
  await runCases(stack, warmup, id, tally);
  id += warmup.length;

  const good = [0, 1, 2].map((i) => new GoodCall(stack.wsUrl, i));
  t.teardown(() => good.forEach((g) => g.terminate()));
  await Promise.all(good.map((g) => g.start()));
  await stack.waitFor('every good call echoing', () => good.every((g) => g.echoMessages >= 2), 5000);
  await stack.waitFor('warm-up sessions gone', async () => (await mediaHealth(stack)).calls === 3, 10000).catch(() => undefined);
  const before = await mediaHealth(stack, true);
  t.comment(`media worker rss: ${MB(cold.rssBytes)} MB cold, ${MB(before.rssBytes)} MB after the warm-up (${warmup.length} cases) = the baseline; calls ${before.calls}`);
  t.equal(before.calls, 3, 'only the 3 good calls are open before the fuzz');
  good.forEach((g) => g.measure(true));

  // Sockets that never send start: each must be closed 1008 at the start deadline, during the fuzz.
  const timeouts = Array.from({ length: 10 }, async (_, i) => {
    const ws = new WebSocket(stack.wsUrl);
    ws.on('error', () => undefined);
    await new Promise((r) => ws.once('open', r));
    tally.upgraded++;
    const opened = Date.now();
    if (i % 2 === 0) ws.send(twilioMessage.connected());
    const [code, reason] = await new Promise<[number, string]>((r) => ws.on('close', (c, why) => r([c, why.toString()])));
    return { code, reason, ms: Date.now() - opened };
  });

  const fuzzStarted = Date.now();
  const framesBefore = tally.frames;
  const garbageBefore = tally.garbageFrames;
  await runCases(stack, main, id, tally);
  id += main.length;
  const mainFrames = tally.frames - framesBefore;
  const mainGarbage = tally.garbageFrames - garbageBefore;
  const fuzzMs = Date.now() - fuzzStarted;
  const timeoutResults = await Promise.all(timeouts);
  t.ok(
    timeoutResults.every((r) => r.code === 1008 && r.reason === 'TMS_ERR_START_TIMEOUT' && r.ms >= 1800 && r.ms < 8000),
    `no start → 1008 TMS_ERR_START_TIMEOUT after ~2 s: ${JSON.stringify(timeoutResults.map((r) => [r.code, r.ms]))}`,
  );

  // Memory is sampled once each round's sessions have ended (the same point after every round).
  const roundOver = () => stack.waitFor('the round\'s sessions gone', async () => (await mediaHealth(stack)).calls === 3, 10000).catch(() => undefined);
  await roundOver();
  const after = await mediaHealth(stack);
  t.comment(`main fuzz: ${main.length} sockets, ${mainFrames} frames (${mainGarbage} of them garbage on their own) in ${fuzzMs} ms; media rss after ${MB(after.rssBytes)} MB (${MB(after.rssBytes - before.rssBytes)} MB growth); event loop p99 ${after.eventLoopDelayMs.p99} ms, max ${after.eventLoopDelayMs.max} ms`);

  // Two more rounds: memory must level off rather than keep climbing.
  const rss: number[] = [after.rssBytes];
  for (const round of extra) {
    await runCases(stack, round, id, tally);
    id += round.length;
    await roundOver();
    rss.push((await mediaHealth(stack)).rssBytes);
  }
  good.forEach((g) => g.measure(false));
  const fuzzEnded = Date.now();
  t.comment(`media rss after the extra rounds: ${rss.map(MB).join(' → ')} MB`);

  // The good calls: still open, their whole audio echoed back in order (all but the last partial chunk), no protocol noise.
  good.forEach((g) => g.stopWithRemainder());
  await Promise.all(good.map((g) => g.drain()));
  for (const g of good) {
    t.equal(g.closed, undefined, `${g.sid} was never closed during the fuzz`);
    t.same(g.problems, [], `${g.sid}: every server frame valid and the echo byte-exact`);
    const seconds = (g.stoppedAt - g.startedAt) / 1000;
    t.ok(g.startedAt < fuzzStarted && g.stoppedAt >= fuzzEnded, `${g.sid} streamed from before the fuzz until after it (${g.sentBytes / FRAME} frames in ${seconds.toFixed(1)} s)`);
    t.equal(g.echoedBytes, Math.floor(g.sentBytes / ECHO_CHUNK) * ECHO_CHUNK, `${g.sid}: echoed ${g.echoedBytes} of ${g.sentBytes} bytes (all but ${g.sentBytes % ECHO_CHUNK} B < one ${ECHO_CHUNK} B chunk)`);
    t.equal(g.marks, g.echoMessages, `${g.sid}: a mark after each of ${g.echoMessages} echo chunks`);
    t.ok(g.maxGapMs < 2000, `${g.sid}: longest gap between echoes ${g.maxGapMs} ms (one chunk is ${(ECHO_CHUNK / FRAME) * 20} ms)`);
  }
  // After Twilio's `stop` the call is over: the agent's partial chunk is dropped (nothing can play it), and the
  // stream is not closed with an error.
  const stopResults = await Promise.all(good.map((g) => g.stop()));
  for (const [i, g] of good.entries()) {
    const r = stopResults[i] as Awaited<ReturnType<GoodCall['stop']>>;
    t.equal(r.flushed, 0, `${g.sid}: nothing is sent after stop`);
    t.equal(r.closedBy, undefined, `${g.sid}: stop does not make the server close with an error (got ${JSON.stringify(r.closedBy)})`);
  }
  await Promise.all(good.map((g) => g.close()));

  // Every fuzz socket got the close the protocol model predicted.
  t.ok(mainGarbage >= MIN_FRAMES, `≥ ${MIN_FRAMES} garbage frames in the main fuzz (${mainGarbage} of ${mainFrames}; ${tally.garbageFrames} of ${tally.frames} in all)`);
  t.same(tally.mismatches.slice(0, 20), [], `every fuzz socket closed as the model predicts (${tally.mismatches.length} mismatches)`);
  t.ok(tally.cutByRouter.length <= tally.sockets / 100, `streams cut without a close frame stay rare (${tally.cutByRouter.length})`);
  // why not zero: when the worker ends TCP right after its close frame while the client is still sending, http-proxy-3's
  // error path can drop the unread frame; needs client garbage (Twilio sends none); measured ≈ 0.1 % of fuzz sockets.
  if (tally.cutByRouter.length) t.comment(`cut without a close frame: ${tally.cutByRouter.slice(0, 5).join(' | ')}`);
  t.comment(`sockets ${tally.sockets} (upgraded ${tally.upgraded}), frames ${tally.frames} (garbage ${tally.garbageFrames}), server frames checked ${tally.serverFrames}, slow starts ${tally.slowStarts}`);
  for (const [label, e] of tally.byLabel) t.comment(`  ${label}: ${e.cases} cases, ${e.frames} frames, outcomes ${JSON.stringify(Object.fromEntries(e.codes))}`);

  polling = false;
  await poller;
  t.same(health.bad, [], `router /healthz 200 throughout (${health.polls} polls, slowest ${health.maxMs.toFixed(1)} ms)`);
  t.equal((await httpRequest(`${stack.baseUrl}/healthz`)).status, 200, 'router /healthz still 200');

  // Nothing left behind, nothing crashed.
  await stack.waitFor('media worker has no call left', async () => (await mediaHealth(stack)).calls === 0, 10000).catch(() => undefined);
  const end = await mediaHealth(stack);
  t.equal(end.calls, 0, 'no CallSession leaked');
  t.same({ media: await stack.pidOf('media'), router: await stack.pidOf('router'), webhooks: await stack.pidOf('webhooks') }, pids, 'no process crashed or restarted');
  const growth = Math.max(...rss) - before.rssBytes;
  t.ok(growth < 50 * 2 ** 20, `media rss growth ${MB(growth)} MB < 50 MB (before ${MB(before.rssBytes)}, after ${rss.map(MB).join(' / ')})`);
  t.ok((rss[2] as number) - (rss[0] as number) < 25 * 2 ** 20, `rss levels off over the extra rounds (${MB((rss[2] as number) - (rss[0] as number))} MB)`);

  const totalUpgraded = tally.upgraded + good.length;
  // why: log lines reach us through pm2's pipe, a little after the fact; the last to come are the sessions' WS_STOP.
  await stack.waitFor('a WS_STOP line per upgraded socket', () => stack.logs().filter((l) => l['service'] === 'media' && l['event'] === 'WS_STOP').length >= totalUpgraded, 5000).catch(() => undefined);
  const logs = stack.logs();
  const fatal = logs.filter((l) => ['UNCAUGHT_EXCEPTION', 'UNHANDLED_REJECTION', 'SESSION_ERROR'].includes(String(l['event'])) || l['level'] === 'fatal');
  t.same(fatal.slice(0, 5), [], 'no UNCAUGHT_EXCEPTION, UNHANDLED_REJECTION, SESSION_ERROR or fatal line');
  const stops = logs.filter((l) => l['service'] === 'media' && l['event'] === 'WS_STOP').length;
  t.ok(stops >= totalUpgraded && stops <= totalUpgraded + tally.rawTimeouts, `one WS_STOP per upgraded socket (${stops} lines, ${totalUpgraded} upgraded)`);
  // A client that vanishes while its upgrade is in flight must not leave the media leg (and a session) behind.
  const orphans = logs.filter((l) => l['service'] === 'media' && l['event'] === 'WS_STOP' && l['endedBy'] === 'pong-timeout').length;
  t.equal(orphans, 0, `no session outlives its client until the pong timeout (${orphans})`);
  const refusedProbes = new Set(
    logs.flatMap((l) => (l['event'] === 'WS_REJECT' && typeof l['err'] === 'string' ? [...l['err'].matchAll(/fuzz-probe-(\d+)/g)].map((m) => Number(m[1])) : [])),
  );
  const missing = [...tally.probesExpected].filter((p) => !refusedProbes.has(p));
  const handled = [...tally.probesIgnored].filter((p) => refusedProbes.has(p));
  t.same(missing.slice(0, 10), [], `the probe after a valid script was refused by the server (${tally.probesExpected.size} such streams)`);
  t.same(handled.slice(0, 10), [], `frames after a protocol error were ignored (${tally.probesIgnored.size} probes after a bad frame)`);
  const rejects = new Map<string, number>();
  for (const l of logs) if (l['event'] === 'WS_REJECT') rejects.set(String(l['code']), (rejects.get(String(l['code'])) ?? 0) + 1);
  t.comment(`WS_REJECT codes logged: ${JSON.stringify(Object.fromEntries(rejects))}`);
  const errors = new Map<string, number>();
  for (const l of logs) {
    if (l['event'] !== 'PROXY_ERROR' && l['event'] !== 'WS_ERROR') continue;
    const key = `${String(l['service'])} ${String(l['event'])} ${String(l['code'] ?? '')} ${String(l['msg'])}: ${String(l['err'] ?? '').replace(/\d+/g, 'N').slice(0, 60)}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  for (const [k, n] of errors) t.comment(`  ${n} × ${k}`);
  if (tally.mismatches.length > 0) t.comment(`mismatches:\n${tally.mismatches.join('\n')}`);
  t.comment(`test time ${((Date.now() - began) / 1000).toFixed(1)} s`);
});
