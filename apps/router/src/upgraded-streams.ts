// Every upgrade socket the router holds, and each client/worker pair tied so that neither outlives the other.
import type { Duplex } from 'node:stream';

export class UpgradedStreams {
  private readonly live = new Set<Duplex>();
  private readonly partners = new Map<Duplex, Duplex>();

  /** @param lingerMs how long the survivor of a pair may flush (a close frame) before it is destroyed. */
  constructor(private readonly lingerMs: number) {}

  /** Holds a client socket from its upgrade request until it closes (so shutdown can find it). */
  track(client: Duplex): void {
    this.live.add(client);
    client.once('close', () => {
      this.live.delete(client);
      this.partners.delete(client);
    });
  }

  /**
   * Ties a client socket to the worker socket it was upgraded to: once either side ends or closes, both are ended
   * (what was written still flushes, e.g. a close frame), read to their FIN, and destroyed after `lingerMs` at most.
   * why: http-proxy pipes the two both ways and, when one closes, only end()s the other. When the worker ends first,
   * the client→worker pipe is torn down and Node's unpipe() pauses the client socket; bytes the client sends after
   * that (its answer to the close frame, the rest of a ping burst) sit unread, so its FIN is never read either, and
   * the socket (allowHalfOpen, as the http server makes it) stays open for good: one fd per such stream.
   */
  link(client: Duplex, worker: Duplex): void {
    this.partners.set(client, worker);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const s of [client, worker]) {
        if (s.destroyed) continue;
        s.end();
        s.resume();
      }
      const linger = setTimeout(() => {
        client.destroy();
        worker.destroy();
      }, this.lingerMs);
      linger.unref();
      const settle = () => {
        if (client.destroyed && worker.destroyed) clearTimeout(linger);
      };
      client.once('close', settle);
      worker.once('close', settle);
      settle();
    };
    for (const s of [client, worker]) {
      s.once('end', release);
      s.once('close', release);
    }
  }

  /** Destroys every upgrade socket and its worker socket; returns how many streams were cut. */
  destroyAll(): number {
    const n = this.live.size;
    for (const client of this.live) {
      this.partners.get(client)?.destroy();
      client.destroy();
    }
    return n;
  }
}
