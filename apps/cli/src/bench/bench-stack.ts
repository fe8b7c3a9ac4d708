// What the benchmark and the soak share: the fakes in their own process, the stack pointed at them, media stats.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startStack, type Stack } from '../stack/start-stack';
import { httpRequest } from '../stack/http-get';
import { fakeProvidersEnv } from '../stack/fake-providers-env';

export const END_SILENCE_MS = 600;

export interface MediaStats {
  calls: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  rssBytes: number;
  cpuUs: { user: number; system: number };
}

export async function mediaStats(stack: Stack, reset: boolean): Promise<MediaStats> {
  const r = await httpRequest(`http://127.0.0.1:${stack.mediaPort}/healthz${reset ? '?reset=1' : ''}`);
  return JSON.parse(r.body) as MediaStats;
}

/** Fake Azure Speech + fake OpenAI in a child process, and the stack under pm2 using them. */
export async function startBenchStack(llmMs: number, ttsMs: number, env: Record<string, string> = {}): Promise<{ stack: Stack; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'fake-services.js'), String(llmMs), String(ttsMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  const urls = JSON.parse(line) as { openai: string; azure: string };
  const stack = await startStack({
    ...fakeProvidersEnv({ azureUrl: urls.azure, azureKey: 'azure-bench', openaiUrl: urls.openai, openaiKey: 'sk-bench' }),
    LOG_LEVEL: 'info',
    GREETING_TEXT: 'שלום, במה אפשר לעזור?',
    TURN_END_SILENCE_MS: String(END_SILENCE_MS),
    STT_SEGMENTATION_SILENCE_MS: '400',
    MAX_CALLS: '1000',
    ...env,
  });
  await stack.waitFor('phrases cached', () => stack.logs().some((l) => l['event'] === 'PHRASES_READY'), 20000);
  return {
    stack,
    async stop() {
      await stack.stop();
      child.stdin.end();
    },
  };
}
