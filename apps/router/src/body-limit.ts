// Passes a request body through, failing with ROUTER_ERR_BODY_TOO_LARGE before the first byte past the limit.
import { Transform, type TransformCallback } from 'node:stream';
import { RouterError } from './router-errors';

export class BodyLimit extends Transform {
  private seen = 0;

  constructor(private readonly limitBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    // why: the chunk that crosses the limit is never forwarded, so the target cannot answer first and race our 413.
    if (this.seen > this.limitBytes) return done(new RouterError('ROUTER_ERR_BODY_TOO_LARGE'));
    done(null, chunk);
  }
}

/** True when a declared Content-Length is already over the limit (no need to read a byte). */
export function declaredTooLarge(contentLength: string | undefined, limitBytes: number): boolean {
  return contentLength !== undefined && Number(contentLength) > limitBytes;
}
