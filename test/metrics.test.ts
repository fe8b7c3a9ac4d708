// Metrics and logs (issue 8 §3): pm2's panel per process, one Prometheus scrape URL for all three, readable logs, `npm run call`'s report.
import http from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import { EVENTS, ServiceMetrics, callLogger, createLogger, mergeExpositions, prettyStream, resolveLogFormat, RollingWindow, spanLabel } from '@tva/logging';
import { createMetricsRoute, isLoopback, metricsAllowed } from '../apps/router/src/metrics';
import { foldTimeline } from '../apps/cli/src/call-report';
import { startStack } from '../apps/cli/src/stack/start-stack';
import { httpRequest, postForm } from '../apps/cli/src/stack/http-get';

/** A logger whose lines land in an array (parsed), with a ServiceMetrics reading its timeline. */
function capture(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'media', level, destination }) };
}

const sample = (text: string, name: string, labels: Record<string, string>): number | undefined => {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

t.test('ServiceMetrics reads the log timeline: calls, turns, spans, fallbacks, provider errors, errors by code', async (t) => {
  const metrics = new ServiceMetrics('media');
  const stop = metrics.start();
  t.teardown(stop);
  const { logger, lines } = capture('warn');
  const call = callLogger(logger, { callSid: 'CA1', streamSid: 'MZ1' });
  call.info({ event: EVENTS.WS_START }, 'stream started');
  t.equal(metrics.activeCalls(), 1, 'a started stream is an active call');
  for (const ms of [400, 500, 600, 700, 2000]) {
    call.info({ event: EVENTS.TURN, turn: 1, 'endOfSpeech→sttFinal': 100, 'sttFinal→llmFirstToken': null, 'endOfSpeech→firstAudio': ms, TTS_LEN_ms: 900, interrupted: false, failed: null }, 'turn');
  }
  call.info({ event: EVENTS.TURN, turn: 6, 'endOfSpeech→firstAudio': 300, interrupted: false, failed: 'llm' }, 'turn');
  call.warn({ event: EVENTS.PROVIDER_ERROR, stage: 'llm', provider: 'openai', code: 'PROVIDER_TIMEOUT' }, 'openai failed');
  call.info({ event: EVENTS.BARGE_IN, turn: 2 }, 'barge-in');
  call.info({ event: EVENTS.WS_STOP, endedBy: 'peer' }, 'stream closed');
  t.equal(metrics.activeCalls(), 0, 'WS_STOP ends it');
  t.equal(lines.length, 1, 'LOG_LEVEL=warn wrote only the warn line');
  t.equal(metrics.turnsPerMinute(), 6, 'every TURN line counted, though info is below LOG_LEVEL');
  t.equal(metrics.turnLatencyP95(), 2000, 'p95 of end of speech → first audio');
  t.equal(metrics.fallbacks.total({ kind: 'apology' }), 1, 'a failed turn is an apology fallback');
  t.equal(metrics.providerErrors.total({ code: 'PROVIDER_TIMEOUT' }), 1);
  t.equal(metrics.errors.total({ level: 'warn', code: 'PROVIDER_TIMEOUT' }), 1, 'errors by code');
  t.equal(metrics.bargeIns.total(), 1);
  const text = metrics.text();
  t.equal(sample(text, 'tva_turn_span_ms_count', { service: 'media', span: 'end_of_speech_to_first_audio' }), 6);
  t.equal(sample(text, 'tva_turn_span_ms_bucket', { span: 'end_of_speech_to_first_audio', le: '500' }), 3, '300, 400, 500 are ≤ 500 ms');
  t.equal(sample(text, 'tva_turn_span_ms_count', { span: 'end_of_speech_to_stt_final' }), 5, 'a null span is not observed');
  t.equal(sample(text, 'tva_streams_ended_total', { ended_by: 'peer' }), 1);
  t.match(text, /# TYPE tva_turn_span_ms histogram\n/);
  t.same(
    metrics.pm2Metrics().map((m) => m.name),
    ['Active calls', 'Turns/min', 'Turn latency p95', 'Fallbacks', 'Provider errors', 'Event loop delay p95', 'Errors (coded)'],
  );
});

t.test('webhooks: calls by mode, RECORD turns, RECORD fallbacks (not CALL_MODE=RECORD)', async (t) => {
  const metrics = new ServiceMetrics('webhooks');
  const { logger } = capture();
  metrics.start();
  logger.info({ event: EVENTS.INCOMING_CALL, mode: 'WS' });
  logger.info({ event: EVENTS.INCOMING_CALL, mode: 'RECORD', mediaDown: true });
  logger.info({ event: EVENTS.FALLBACK_RECORD, reason: 'media-down' });
  logger.info({ event: EVENTS.FALLBACK_RECORD, reason: 'forced' });
  logger.warn({ event: EVENTS.FALLBACK_RECORD, endedBy: 'peer' });
  logger.info({ event: EVENTS.RECORD_TURN, outcome: 'reply', fetchMs: 50, sttMs: 300, llmFirstTokenMs: 200, llmMs: 400, ttsMs: 250, totalMs: 1000 });
  t.equal(metrics.calls.total(), 2);
  t.equal(metrics.calls.total({ mode: 'RECORD' }), 1);
  t.equal(metrics.fallbacks.total({ kind: 'record' }), 1, 'one RECORD fallback: forced is configuration, the stream_ended line is the same fallback');
  t.equal(metrics.turnLatencyP95(), 1000);
  t.equal(sample(metrics.text(), 'tva_turn_span_ms_sum', { mode: 'record', span: 'stt' }), 300);
  t.equal(spanLabel('llmFirstToken→ttsFirstAudio'), 'llm_first_token_to_tts_first_audio');
});

t.test('RollingWindow counts the last minute and drops what is older', async (t) => {
  let now = 0;
  const w = new RollingWindow(60_000, 100, () => now);
  w.add(10);
  now = 30_000;
  w.add(20);
  t.equal(w.countSince(60_000), 2);
  now = 70_000;
  t.equal(w.countSince(60_000), 1);
  t.equal(w.percentile(95), 20);
});

t.test('mergeExpositions: one HELP/TYPE per family, every process\'s samples under it', async (t) => {
  const a = '# HELP x_total X.\n# TYPE x_total counter\nx_total{service="a"} 1\n# TYPE h histogram\nh_bucket{service="a",le="+Inf"} 1\nh_sum{service="a"} 2\nh_count{service="a"} 1\n';
  const b = '# HELP x_total X.\n# TYPE x_total counter\nx_total{service="b"} 2\n# TYPE h histogram\nh_count{service="b"} 0\n';
  const merged = mergeExpositions([a, b, '# TYPE tva_up gauge\ntva_up{service="c"} 0\n']);
  t.equal(merged.match(/# TYPE x_total/g)?.length, 1);
  t.equal(merged.match(/# TYPE h /g)?.length, 1);
  t.match(merged, /x_total\{service="a"\} 1\nx_total\{service="b"\} 2\n/);
  t.match(merged, /h_count\{service="a"\} 1\nh_count\{service="b"\} 0\n/);
  t.match(merged, /tva_up\{service="c"\} 0/);
});

t.test('metrics access: loopback without forwarding headers, or the bearer token', async (t) => {
  t.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('::ffff:127.0.0.1'));
  t.notOk(isLoopback('10.0.0.1'));
  t.ok(metricsAllowed({}, '127.0.0.1', undefined));
  t.notOk(metricsAllowed({ 'x-forwarded-for': '203.0.113.5' }, '127.0.0.1', undefined), 'relayed by a local proxy: not a local client');
  t.notOk(metricsAllowed({}, '203.0.113.5', undefined));
  t.ok(metricsAllowed({ authorization: 'Bearer s3cret' }, '203.0.113.5', 's3cret'));
  t.notOk(metricsAllowed({ authorization: 'Bearer s3cre' }, '203.0.113.5', 's3cret'));
  t.notOk(metricsAllowed({}, '127.0.0.1', 's3cret'), 'with a token set, loopback needs it too');
});

t.test('the metrics route joins its targets and marks a silent one down', async (t) => {
  const target = http.createServer((_req, res) => res.end('# TYPE tva_up gauge\ntva_up{service="webhooks"} 1\n'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const { logger } = capture();
  const route = createMetricsRoute({
    own: new ServiceMetrics('router'),
    targets: [
      { service: 'webhooks', url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/metrics` },
      { service: 'media', url: 'http://127.0.0.1:1/metrics' },
    ],
    token: 'tok',
    logger,
  });
  const server = http.createServer(route);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.close();
    target.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const refused = await httpRequest(url);
  t.equal(refused.status, 403);
  t.match(JSON.parse(refused.body), { code: 'ROUTER_ERR_METRICS_FORBIDDEN' });
  const ok = await httpRequest(url, { headers: { authorization: 'Bearer tok' } });
  t.equal(ok.status, 200);
  t.match(ok.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(ok.body, /tva_up\{service="router"\} 1\ntva_up\{service="webhooks"\} 1\ntva_up\{service="media"\} 0/);
});

t.test('log format: auto is pretty on a terminal only; pretty lines are readable, not JSON', async (t) => {
  t.equal(resolveLogFormat('auto', true), 'pretty');
  t.equal(resolveLogFormat('auto', false), 'json');
  t.equal(resolveLogFormat(undefined, false), 'json');
  t.equal(resolveLogFormat('json', true), 'json');
  let out = '';
  const sink = new Writable({ write: (c: Buffer, _e, d) => ((out += c.toString()), d()) });
  const logger = createLogger({ service: 'media', destination: prettyStream(false, sink) });
  logger.info({ event: EVENTS.TURN, turn: 3 }, 'turn');
  await new Promise((r) => setTimeout(r, 50));
  t.match(out, /INFO.*media TURN turn.*"turn":3/);
  t.notOk(out.trim().startsWith('{'), 'not a JSON line');
});

t.test('npm run call folds runs of echoed marks into one line', async (t) => {
  const folded = foldTimeline([
    { atMs: 0, event: 'open' },
    { atMs: 5, event: 'start', detail: 'MZ1' },
    { atMs: 90, event: 'clear', detail: 'released m1, m2, m3, m4' },
    { atMs: 100, event: 'mark-echoed', detail: 'm1' },
    { atMs: 120, event: 'mark-echoed', detail: 'm2' },
    { atMs: 140, event: 'mark-echoed', detail: 'm3 (cleared)' },
    { atMs: 900, event: 'close', detail: '1000' },
  ]);
  t.equal(folded.length, 5);
  t.match(folded[2], /clear  released 4 marks \(m1 … m4\)$/);
  t.match(folded[3], /marks echoed ×3 \(1 released by a clear\)\s+until \+140 ms\s+m1 … m3 \(cleared\)/);
});

t.test('the running stack: pm2 shows each process\'s metrics, and one scrape URL covers all three', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  await stack.waitReady();
  await stack.waitFor('phrases ready', () => stack.logs().some((l) => l['event'] === EVENTS.PHRASES_READY), 15000);

  // A Twilio-like call: incoming_call (webhooks counts it), a stream with a key press (a turn on the media worker).
  const callSid = `CA${'1'.repeat(32)}`;
  t.equal((await postForm(`${stack.baseUrl}/webhook/incoming_call`, { CallSid: callSid })).status, 200);
  const call = await SimulatedCall.connect({ url: stack.wsUrl, callSid });
  t.teardown(() => call.terminate());
  await call.sendSilence(600);
  call.sendDtmf('1');
  t.ok(await stack.logged((l) => l['event'] === EVENTS.TURN, 10000), 'the media worker logged a TURN');

  const scrape = await httpRequest(`http://127.0.0.1:${stack.port}/metrics`);
  t.equal(scrape.status, 200, 'loopback scrape allowed without a token');
  for (const service of ['router', 'media', 'webhooks']) t.equal(sample(scrape.body, 'tva_up', { service }), 1, `${service} is in the scrape`);
  t.equal(sample(scrape.body, 'tva_active_calls', { service: 'media' }), 1, 'the live stream');
  t.ok((sample(scrape.body, 'tva_turns_total', { service: 'media', mode: 'stream' }) ?? 0) >= 1, 'the turn');
  t.equal(sample(scrape.body, 'tva_calls_total', { service: 'webhooks', mode: 'WS' }), 1, 'the incoming call');
  t.match(scrape.body, /tva_turn_span_ms_count\{service="media",mode="stream",span="[a-z_]+"\} \d/, 'turn spans as histograms');
  t.match(scrape.body, /tva_event_loop_delay_ms\{service="router",stat="p95"\}/);
  t.equal(scrape.body.match(/^# TYPE tva_up gauge$/gm)?.length, 1, 'each family once');
  const relayed = await httpRequest(`http://127.0.0.1:${stack.port}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
  t.equal(relayed.status, 403, 'a request relayed by a proxy is refused without METRICS_TOKEN');
  t.equal((await httpRequest(`http://127.0.0.1:${stack.port}/healthz`)).status, 200, '/healthz unaffected');

  // tx2 reports every 990 ms; pm2 show prints the process's "Code metrics value" table.
  let shown = '';
  await stack.waitFor('media metrics in pm2 show', async () => {
    shown = await stack.pm2(['show', 'media']);
    return /Active calls\s*│\s*1/.test(shown) && /Turns\/min\s*│\s*[1-9]/.test(shown);
  }, 10000);
  for (const name of ['Active calls', 'Turns/min', 'Turn latency p95', 'Fallbacks', 'Provider errors', 'Event loop delay p95']) t.match(shown, name, `pm2 show media: ${name}`);
  t.match(await stack.pm2(['show', 'webhooks']), /Calls\s*│\s*1/, 'pm2 show webhooks: the call');
  t.match(await stack.pm2(['show', 'router']), /Event loop delay p95/, 'pm2 show router: the event loop');
  await call.stop();
});
