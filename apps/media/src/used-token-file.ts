// Used call tokens in a small append-only file under DATA_DIR, so a media worker restart cannot let a used token in again.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { MemoryUsedTokenStore } from './used-token-store';

export const USED_TOKENS_FILE = 'used-call-tokens.log';

/** Rewrite the file once it holds this many more lines than live tokens (and at least this many). */
const COMPACT_MIN_LINES = 1000;
const LINE = /^(\d{1,16}) (\S{1,200})$/;

export interface FileUsedTokenStoreOptions {
  now?: () => number;
  /** Told when rewriting the file failed (claims still append; the next try is later). */
  onCompactError?: (err: Error) => void;
}

/**
 * One line per claim, `<expiresAtMs> <token>`, appended with a synchronous write before the claim counts.
 * why no fsync: the threat is a worker crash or pm2 restart (the kernel keeps the write); a power loss also
 * ends every live call. Loaded at start, dropping expired and torn lines, then compacted.
 * One process per file: the media worker runs as a single pm2 fork.
 */
export class FileUsedTokenStore extends MemoryUsedTokenStore {
  private fd: number;
  private lines = 0;
  private compactAt = COMPACT_MIN_LINES;

  constructor(
    readonly file: string,
    private readonly opts: FileUsedTokenStoreOptions = {},
  ) {
    super(opts.now);
    mkdirSync(path.dirname(file), { recursive: true });
    this.load();
    this.fd = this.compact();
  }

  /** The store at DATA_DIR/used-call-tokens.log. */
  static inDir(dataDir: string, opts?: FileUsedTokenStoreOptions): FileUsedTokenStore {
    return new FileUsedTokenStore(path.join(dataDir, USED_TOKENS_FILE), opts);
  }

  protected override record(token: string, expiresAtMs: number): void {
    if (!/^\S{1,200}$/.test(token)) throw new Error('a used token must be 1-200 characters without spaces');
    writeSync(this.fd, `${Math.trunc(expiresAtMs)} ${token}\n`);
    this.lines += 1;
  }

  protected override afterClaim(): void {
    if (this.lines >= this.compactAt) this.recompact();
  }

  override close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private load(): void {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const at = this.now();
    for (const line of text.split('\n')) {
      const m = LINE.exec(line);
      if (!m) continue;
      const expiresAt = Number(m[1]);
      if (expiresAt > at) this.used.set(m[2] as string, Math.max(expiresAt, this.used.get(m[2] as string) ?? 0));
    }
  }

  /** Writes the live tokens to a new file, swaps it in atomically, and returns an append handle to it. */
  private compact(): number {
    const live = this.prune();
    const tmp = `${this.file}.tmp`;
    let body = '';
    for (const [token, expiresAt] of this.used) body += `${expiresAt} ${token}\n`;
    const out = openSync(tmp, 'w', 0o600);
    try {
      writeSync(out, body);
    } finally {
      closeSync(out);
    }
    renameSync(tmp, this.file);
    this.lines = live;
    this.compactAt = Math.max(COMPACT_MIN_LINES, 2 * live);
    return openSync(this.file, 'a', 0o600);
  }

  /** A failed compaction never fails a claim (already appended): the file just grows until the next try. */
  private recompact(): void {
    const old = this.fd;
    try {
      this.fd = this.compact();
      closeSync(old);
    } catch (err) {
      this.compactAt = 2 * this.lines;
      this.opts.onCompactError?.(err as Error);
    }
  }
}
