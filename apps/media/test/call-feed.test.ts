// The call feed's sender on its own: signed batches, a bounded queue that counts what it drops, retries while webhooks is down.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { INTERNAL_PATHS, INTERNAL_SIGNATURE_HEADER, isValidInternalSignature, parseCallFeedBatch, type CallFeedBatch, type CallNotice } from '@tva/security';
import { CallFeed } from '../src/call-feed';
import { CallReporter, spansOf } from '../src/call-feed-reporter';
import { captureLogger } from '../../../test-support/capture-logger';

const SECRET = 'feed-secret';
type Line = Record<string, unknown>;

const logger = () => captureLogger('media');

/** A stand-in for webhooks' internal listener: keeps each valid batch, answers `status()`. */
async function fakeWebhooks(t: Test, status: () => number = () => 204) {
  const batches: CallFeedBatch[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const ok = req.url === INTERNAL_PATHS.callFeed && isValidInternalSignature(SECRET, body, req.headers[INTERNAL_SIGNATURE_HEADER] as string);
      const batch = ok ? parseCallFeedBatch(JSON.parse(body)) : undefined;
      const code = batch ? status() : 400;
      if (batch && code === 204) batches.push(batch);
      res.statusCode = code;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, batches, server };
}

const state = (i: number): CallNotice => ({ kind: 'state', callSid: `CA${i}`, at: i, state: 'listening' });
const until = async (probe: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!probe() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

t.test('notices pushed together arrive together, signed, in order', async (t) => {
  const hooks = await fakeWebhooks(t);
  const { log } = logger();
  const feed = new CallFeed({ internalPort: hooks.port, secret: SECRET, log, flushMs: 20 });
  t.teardown(() => feed.close());
  for (let i = 0; i < 5; i += 1) feed.push(state(i));
  await until(() => feed.stats.sent === 5);
  t.equal(hooks.batches.length, 1, 'one batch');
  t.same(hooks.batches[0]?.notices.map((n) => n.callSid), ['CA0', 'CA1', 'CA2', 'CA3', 'CA4']);
  t.equal(feed.pending, 0);
});

t.test('webhooks down: the queue is bounded, drops are counted and logged, and what was kept is sent once it is back', async (t) => {
  let up = false;
  const hooks = await fakeWebhooks(t, () => (up ? 204 : 503));
  const { log, lines } = logger();
  const feed = new CallFeed({ internalPort: hooks.port, secret: SECRET, log, flushMs: 10, retryMs: 30, maxQueue: 10, maxBatch: 4 });
  t.teardown(() => feed.close());
  for (let i = 0; i < 15; i += 1) feed.push(state(i));
  t.equal(feed.dropped, 5, 'five over the bound');
  t.ok(lines.some((l) => l['event'] === 'CALL_FEED' && l['code'] === 'MEDIA_ERR_FEED_DROPPED' && l['level'] === 'warn'), 'one warning with the code');
  await until(() => feed.stats.failedPosts >= 2);
  t.equal(feed.pending, 10, 'a failed batch is back at the head of the queue');
  up = true;
  await until(() => feed.stats.sent === 10);
  t.same(hooks.batches.flatMap((b) => b.notices.map((n) => n.callSid)), Array.from({ length: 10 }, (_, i) => `CA${i}`), 'in order, nothing twice');
  t.equal(hooks.batches[0]?.dropped, 5, 'webhooks is told how many were dropped');
  t.equal(hooks.batches[1]?.dropped, 0, 'once');
});

t.test('a batch webhooks refuses (4xx) is dropped, not retried forever; flush() empties the queue for shutdown', async (t) => {
  let refuse = true;
  const hooks = await fakeWebhooks(t, () => (refuse ? 400 : 204));
  const { log, lines } = logger();
  const feed = new CallFeed({ internalPort: hooks.port, secret: SECRET, log, flushMs: 10_000 });
  t.teardown(() => feed.close());
  feed.push(state(1));
  await feed.flush(1000);
  t.equal(feed.stats.refused, 1);
  t.ok(lines.some((l) => l['code'] === 'MEDIA_ERR_OUTCOME_REFUSED'));
  refuse = false;
  feed.push(state(2));
  feed.push(state(3));
  await feed.flush(1000);
  t.equal(feed.pending, 0, 'sent without waiting for the 10 s timer');
  t.same(hooks.batches.flatMap((b) => b.notices.map((n) => n.callSid)), ['CA2', 'CA3']);
});

t.test('webhooks unreachable: push never throws or blocks; the reporter sends state changes only when they change', async (t) => {
  const { log } = logger();
  const feed = new CallFeed({ internalPort: 1, secret: SECRET, log, flushMs: 5, retryMs: 1000 });
  t.teardown(() => feed.close());
  const sent: CallNotice[] = [];
  const reporter = new CallReporter({ push: (n) => sent.push(n) }, 'CA9');
  reporter.setState('listening');
  reporter.setState('listening');
  reporter.setState('speaking');
  reporter.turn({ turn: 1, callerText: '[unrecognized speech]', agentText: 'hi', interrupted: false, failed: true, summary: { 'endOfSpeech→sttFinal': 1, 'sttFinal→llmFirstToken': null, 'llmFirstToken→ttsFirstAudio': null, 'ttsFirstAudio→mediaTx': null, 'endOfSpeech→firstAudio': null, TTS_LEN_ms: 0 } });
  t.same(sent.map((n) => (n.kind === 'state' ? n.state : n.kind)), ['listening', 'speaking', 'turn']);
  const turn = sent[2] as Extract<CallNotice, { kind: 'turn' }>;
  t.equal(turn.callerText, '', 'the unrecognized-speech placeholder is not a transcript');
  t.same(turn.spans, { 'endOfSpeech→sttFinal': 1, TTS_LEN_ms: 0 }, 'stages that did not happen are absent');
  t.equal(turn.failed, true);
  t.same(spansOf({ 'endOfSpeech→sttFinal': null, 'sttFinal→llmFirstToken': null, 'llmFirstToken→ttsFirstAudio': null, 'ttsFirstAudio→mediaTx': null, 'endOfSpeech→firstAudio': 5, TTS_LEN_ms: 0 }), { 'endOfSpeech→firstAudio': 5, TTS_LEN_ms: 0 });
  const t0 = performance.now();
  for (let i = 0; i < 1000; i += 1) feed.push(state(i));
  t.ok(performance.now() - t0 < 50, 'a thousand pushes take no time');
  await until(() => feed.stats.failedPosts >= 1);
  t.equal(feed.pending, 1000, 'kept for a retry');
});
