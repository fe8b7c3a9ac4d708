// A cheap cached view of whether the media worker is up: polled in the background, read instantly by incoming_call.
import http from 'node:http';

export interface MediaProbe {
  /** True when the last probe within `staleMs` succeeded. */
  readonly up: boolean;
  stop(): void;
}

// why: a busy worker can take a while to answer a probe; only ~3 missed probes in a row mean down, so load alone
// does not push healthy calls into RECORD mode.
export function startMediaProbe(port: number, everyMs = 1000, staleMs = 3500, timeoutMs = 1000): MediaProbe {
  let lastOk = 0;
  let probed = false;
  let timer: NodeJS.Timeout | undefined;
  const probe = () => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      probed = true;
      if (res.statusCode === 200) lastOk = Date.now();
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => (probed = true));
  };
  probe();
  timer = setInterval(probe, everyMs);
  timer.unref();
  return {
    get up() {
      // why: until the first probe completes (process start) assume up; a failed stream still falls back to RECORD.
      return !probed || Date.now() - lastOk < staleMs;
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
