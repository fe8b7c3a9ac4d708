// Runs the real wscat CLI against a URL, sending Twilio messages, and returns what it printed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../apps/cli/src/stack/start-stack';

export interface WscatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `extra` are wscat flags such as ['-s', 'audio.twilio.com'] or ['-H', 'Sec-WebSocket-Protocol: audio.twilio.com']. */
export function runWscat(url: string, extra: string[], messages: string[], waitS = 2): Promise<WscatResult> {
  const args = [path.join(ROOT, 'node_modules/wscat/bin/wscat'), '-c', url, '--no-color', '-w', String(waitS), ...extra, ...messages.flatMap((m) => ['-x', m])];
  // why: wscat exits as soon as its stdin ends (readline close), so stdin stays an open pipe until it is done.
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), (waitS + 10) * 1000);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      child.stdin.destroy();
      resolve({ code, stdout, stderr });
    });
  });
}
