// A real pino logger whose JSON lines land, parsed, in an array the test can read.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@tva/logging';

export type LogLine = Record<string, unknown>;

export function captureLogger(service: string, level = 'info'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { log: createLogger({ service, level, destination }), lines };
}
