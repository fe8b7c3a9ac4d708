// Starts the real stack under pm2-runtime (the README's way) on free ports, for one test file; always stoppable.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './free-port';
import { httpRequest } from './http-get';
import { STREAM_PATH } from '@tva/security';

// why: the same path from src/ (tests run the .ts) and dist/ (the compiled bench): apps/cli/{src,dist}/stack → repo root.
export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export type AppName = 'router' | 'media' | 'webhooks';

export interface Stack {
  port: number;
  mediaPort: number;
  webhooksPort: number;
  /** Webhooks' loopback-only listener for the media worker's notices. */
  internalPort: number;
  /** This stack's DATA_DIR (a temp directory, removed by stop()). */
  dataDir: string;
  baseUrl: string;
  wsUrl: string;
  /** Every JSON log line the three apps printed so far. */
  logs(): Array<Record<string, unknown>>;
  /** True once a log line matching `pred` has been printed (waits up to `timeoutMs`: lines arrive through pm2's pipe). */
  logged(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<boolean>;
  /** Raw output (pm2 lines included). */
  output(): string;
  /** Current pid of one app, as pm2-runtime's direct child (async: a sync `ps` would stall the caller's timers). */
  pidOf(app: AppName): Promise<number | undefined>;
  /** Wait until `probe` is true (polling), or throw after timeoutMs. */
  waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  waitReady(timeoutMs?: number): Promise<void>;
  /** Runs the pm2 CLI against this stack's pm2 (e.g. ['reload', 'media']). */
  pm2(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** The process answers HTTP at `url` (a 429 from a tight WEBHOOK_RATE_LIMIT still proves it is listening). */
async function up(url: string): Promise<boolean> {
  try {
    const { status } = await httpRequest(url, { timeoutMs: 500 });
    return status === 200 || status === 429;
  } catch {
    return false;
  }
}

/**
 * `env` may be a function of the chosen router port (e.g. for PUBLIC_BASE_URL). With TWILIO_AUTH_TOKEN and no
 * PUBLIC_BASE_URL, PUBLIC_BASE_URL defaults to this stack's router URL (the config requires one with signatures on).
 */
export async function startStack(env: Record<string, string> | ((port: number) => Record<string, string>) = {}): Promise<Stack> {
  const [port, mediaPort, webhooksPort, internalPort] = (await freePorts(4)) as [number, number, number, number];
  const pm2Home = mkdtempSync(path.join(os.tmpdir(), 'tva-pm2-'));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tva-data-'));
  const extra = typeof env === 'function' ? env(port) : env;
  const signed = extra['TWILIO_AUTH_TOKEN'] !== undefined && extra['PUBLIC_BASE_URL'] === undefined;
  const child: ChildProcess = spawn(path.join(ROOT, 'node_modules/.bin/pm2-runtime'), ['start', 'ecosystem.config.cjs'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PM2_HOME: pm2Home,
      PM2_DISABLE_VERSION_CHECK: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      MEDIA_PORT: String(mediaPort),
      WEBHOOKS_PORT: String(webhooksPort),
      INTERNAL_PORT: String(internalPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'debug',
      // why: logs() parses JSON lines, whatever LOG_FORMAT the developer's shell has.
      LOG_FORMAT: 'json',
      ...(signed ? { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` } : {}),
      ...extra,
    },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', (err) => {
    out += `\nstack failed to start: ${err.message}\n`;
    exited = true;
  });

  const waitFor: Stack['waitFor'] = async (what, probe, timeoutMs = 15000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await probe()) return;
      if (exited) throw new Error(`stack exited while waiting for ${what}\n${out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}\n${out.slice(-3000)}`);
  };

  const stack: Stack = {
    port,
    mediaPort,
    webhooksPort,
    internalPort,
    dataDir,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}${STREAM_PATH}`,
    output: () => out,
    async logged(pred, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (stack.logs().some(pred)) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    async pidOf(app) {
      if (child.pid === undefined) return undefined;
      const script = path.join(ROOT, `apps/${app}/dist/main.js`);
      const rows = (await promisify(execFile)('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })).stdout.split('\n');
      for (const row of rows) {
        const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(row);
        if (m && Number(m[2]) === child.pid && m[3]?.includes(script)) return Number(m[1]);
      }
      return undefined;
    },
    waitFor,
    async waitReady(timeoutMs = 20000) {
      await waitFor('router /healthz', () => up(`http://127.0.0.1:${port}/healthz`), timeoutMs);
      await waitFor('webhooks /version', () => up(`http://127.0.0.1:${webhooksPort}/version`), timeoutMs);
      await waitFor('media /healthz', () => up(`http://127.0.0.1:${mediaPort}/healthz`), timeoutMs);
    },
    async pm2(args) {
      const { stdout } = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/pm2'), args, {
        env: { ...process.env, PM2_HOME: pm2Home, PM2_DISABLE_VERSION_CHECK: '1' },
        timeout: 30000,
      });
      return stdout;
    },
    async stop() {
      if (!exited && child.pid !== undefined) {
        process.kill(-child.pid, 'SIGINT');
        const deadline = Date.now() + 12000;
        while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (!exited) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      }
      for (const app of ['router', 'media', 'webhooks'] as const) {
        const pid = await stack.pidOf(app);
        if (pid) process.kill(pid, 'SIGKILL');
      }
      rmSync(pm2Home, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await stack.waitReady();
  } catch (err) {
    // why: a stack that never became ready is still running under pm2; the caller gets no handle to stop it.
    await stack.stop();
    throw err;
  }
  return stack;
}
