// The call feed: turns, events and state changes queued off the audio path and posted to webhooks in signed batches.
import http from 'node:http';
import { TIMINGS } from '@tva/config';
import { EVENTS, type Logger } from '@tva/logging';
import { INTERNAL_PATHS, INTERNAL_SIGNATURE_HEADER, internalSignature, type CallFeedBatch, type CallNotice } from '@tva/security';
import type { MediaErrorCode } from './media-errors';

/** Where the agent and the session drop notices: never blocks, never throws, never awaits. */
export interface CallFeedSink {
  push(notice: CallNotice): void;
}

/** A sink that forgets everything (the echo agent, unit tests). */

export interface CallFeedOptions {
  /** Webhooks' loopback-only internal listener (INTERNAL_PORT). */
  internalPort: number;
  secret: string;
  log: Logger;
  /**
   * why 100 ms: a turn reported this long before a SIGKILL is already on its way; at 100 calls a batch holds a few
   * notices, so this is ~10 small loopback requests a second, far from the audio path.
   */
  flushMs?: number;
  /** Notices held at most (webhooks down or slow); more are dropped and counted. ~1 KiB each: a few MiB at worst. */
  maxQueue?: number;
  maxBatch?: number;
  /** After a failed post, the batch is retried this much later (webhooks restarting under pm2). */
  retryMs?: number;
}

/** How often at most a "notices dropped" warning is logged while the queue stays full. */
const DROP_LOG_EVERY_MS = 10_000;

export class CallFeed implements CallFeedSink {
  private queue: CallNotice[] = [];
  /** Dropped since the last batch that reached webhooks (sent with it, so webhooks logs it too). */
  private droppedUnsent = 0;
  private droppedTotal = 0;
  private lastDropLog = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly flushMs: number;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly retryMs: number;
  /** Counters for tests and metrics. */
  readonly stats = { pushed: 0, sent: 0, batches: 0, failedPosts: 0, refused: 0 };

  constructor(private readonly o: CallFeedOptions) {
    this.flushMs = o.flushMs ?? 100;
    this.maxQueue = o.maxQueue ?? 5_000;
    this.maxBatch = o.maxBatch ?? 200;
    this.retryMs = o.retryMs ?? 500;
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  get pending(): number {
    return this.queue.length;
  }

  push(notice: CallNotice): void {
    if (this.queue.length >= this.maxQueue) {
      this.droppedUnsent += 1;
      this.droppedTotal += 1;
      const now = Date.now();
      if (now - this.lastDropLog >= DROP_LOG_EVERY_MS) {
        this.lastDropLog = now;
        this.o.log.warn({ event: EVENTS.CALL_FEED, code: 'MEDIA_ERR_FEED_DROPPED' satisfies MediaErrorCode, dropped: this.droppedTotal, queued: this.queue.length }, 'call feed queue full: notices dropped');
      }
      return;
    }
    this.stats.pushed += 1;
    this.queue.push(notice);
    this.schedule(this.flushMs);
  }

  /** Sends everything queued now (shutdown); resolves when the queue is empty or `timeoutMs` has passed. */
  async flush(timeoutMs = TIMINGS.noticeTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (Date.now() < deadline) {
      if (this.sending) await this.sending;
      else if (this.queue.length === 0) break;
      else if (!(await this.sendBatch())) break;
    }
    if (this.queue.length) this.schedule(this.retryMs);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.agent.destroy();
  }

  private schedule(ms: number): void {
    if (this.timer || this.sending) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // why: flush() may have a batch in flight; it reschedules what is left when it is done.
      if (this.sending) return;
      void this.sendBatch().then((ok) => {
        if (this.queue.length) this.schedule(ok ? this.flushMs : this.retryMs);
      });
    }, ms);
  }

  /** Posts one batch; false when it must be retried later (it is back at the head of the queue). */
  private sendBatch(): Promise<boolean> {
    const notices = this.queue.splice(0, this.maxBatch);
    if (notices.length === 0) return Promise.resolve(true);
    const batch: CallFeedBatch = { notices, dropped: this.droppedUnsent };
    const result = this.post(batch).then((status) => {
      this.sending = undefined;
      if (status === 204) {
        this.droppedUnsent -= batch.dropped;
        this.stats.sent += notices.length;
        this.stats.batches += 1;
        return true;
      }
      if (status !== undefined && status >= 400 && status < 500) {
        // why: a batch webhooks refuses as malformed would be refused again; it is dropped (a bug, logged) rather than retried.
        this.stats.refused += 1;
        this.o.log.warn({ event: EVENTS.CALL_FEED, code: 'MEDIA_ERR_OUTCOME_REFUSED' satisfies MediaErrorCode, status, notices: notices.length }, 'webhooks refused a call feed batch');
        return true;
      }
      this.stats.failedPosts += 1;
      // Back at the head, in order; what no longer fits is dropped and counted like any overflow.
      const room = Math.max(0, this.maxQueue - this.queue.length);
      const kept = notices.slice(0, room);
      const lost = notices.length - kept.length;
      this.droppedUnsent += lost;
      this.droppedTotal += lost;
      this.queue = [...kept, ...this.queue];
      return false;
    });
    this.sending = result.then(() => undefined);
    return result;
  }

  /** The response status, or undefined when webhooks could not be reached (logged). */
  private post(batch: CallFeedBatch): Promise<number | undefined> {
    const body = JSON.stringify(batch);
    return new Promise((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.o.internalPort,
          path: INTERNAL_PATHS.callFeed,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', [INTERNAL_SIGNATURE_HEADER]: internalSignature(this.o.secret, body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
          res.on('error', () => resolve(undefined));
        },
      );
      req.setTimeout(TIMINGS.noticeTimeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        if (this.stats.failedPosts % 20 === 0) {
          this.o.log.warn({ event: EVENTS.CALL_FEED, code: 'MEDIA_ERR_OUTCOME_NOTIFY' satisfies MediaErrorCode, err: err.message, queued: this.queue.length + batch.notices.length }, 'could not reach webhooks with the call feed; will retry');
        }
        resolve(undefined);
      });
      req.end(body);
    });
  }
}
