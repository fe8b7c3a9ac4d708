// Reads the start of an HTTP response body (a refused upgrade's explanation) without ever rejecting.
import type { IncomingMessage } from 'node:http';

export function readBody(res: IncomingMessage, maxChars: number): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (part: string) => {
      if (body.length < maxChars) body += part;
    });
    const done = (): void => resolve(body.slice(0, maxChars));
    res.on('end', done);
    res.on('error', done);
    res.on('aborted', done);
    res.on('close', done);
  });
}
