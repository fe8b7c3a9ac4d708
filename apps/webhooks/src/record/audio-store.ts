// In-memory WAV files for <Play>, under unguessable ids: LRU, TTL and a byte cap; fixed phrases are pinned.
import { randomBytes } from 'node:crypto';

export interface AudioStoreOptions {
  /** Unpinned audio is dropped this long after it was stored. Default 10 min (Twilio fetches at once). */
  ttlMs?: number;
  /** Total bytes of unpinned audio; the least recently used goes first. Default 64 MiB. */
  maxBytes?: number;
  now?: () => number;
}

interface Entry {
  wav: Uint8Array;
  expiresAt: number;
}

/** 128 random bits, URL-safe: the id is the only thing guarding an unsigned GET. */
export const AUDIO_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export class AudioStore {
  private readonly entries = new Map<string, Entry>();
  private readonly pinned = new Map<string, Uint8Array>();
  private bytes = 0;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(opts: AudioStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 10 * 60 * 1000;
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
  }

  /** Bytes of unpinned audio held now. */
  get size(): number {
    return this.bytes;
  }

  /** Stores a WAV and returns its id; pinned audio never expires (fixed phrases). */
  put(wav: Uint8Array, opts: { pinned?: boolean } = {}): string {
    const id = randomBytes(16).toString('base64url');
    if (opts.pinned) {
      this.pinned.set(id, wav);
      return id;
    }
    this.entries.set(id, { wav, expiresAt: this.now() + this.ttlMs });
    this.bytes += wav.length;
    this.evict();
    return id;
  }

  get(id: string): Uint8Array | undefined {
    const pinned = this.pinned.get(id);
    if (pinned) return pinned;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.expiresAt <= this.now()) {
      this.bytes -= entry.wav.length;
      return undefined;
    }
    this.entries.set(id, entry); // most recently used goes last
    return entry.wav;
  }

  private evict(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (this.bytes <= this.maxBytes && entry.expiresAt > now) break;
      this.entries.delete(id);
      this.bytes -= entry.wav.length;
    }
  }
}
