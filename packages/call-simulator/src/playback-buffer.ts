// A pure model of Twilio's outbound playback buffer: audio plays in order at 8 bytes/ms, marks echo once their audio has played.

/** Twilio plays 8 kHz μ-law: one byte per sample, 8 bytes per millisecond. */
export const BYTES_PER_MS = 8;

/** Twilio drops audio buffered beyond 10 minutes (warning 31931). */
export const MAX_BUFFERED_BYTES = 10 * 60 * 1000 * BYTES_PER_MS;

type Item = { kind: 'audio'; bytes: Uint8Array } | { kind: 'mark'; name: string };

export interface AdvanceResult {
  played: Uint8Array;
  marks: string[];
}

export class PlaybackBuffer {
  private readonly items: Item[] = [];
  private buffered = 0;
  /** Fraction of a byte carried between advances, so many small advances play exactly as one large one. */
  private carry = 0;
  private dropped = 0;

  constructor(private readonly maxBufferedBytes = MAX_BUFFERED_BYTES) {}

  /** Bytes of audio waiting to play. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  get bufferedMs(): number {
    return this.buffered / BYTES_PER_MS;
  }

  /** Bytes refused because the buffer was full. */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** Names of marks still waiting for their audio to play. */
  get pendingMarks(): string[] {
    return this.items.flatMap((item) => (item.kind === 'mark' ? [item.name] : []));
  }

  /** Queues audio after everything already queued; returns how many bytes were dropped for overflow. */
  enqueue(bytes: Uint8Array): number {
    const room = Math.max(0, this.maxBufferedBytes - this.buffered);
    const kept = bytes.byteLength <= room ? bytes : bytes.subarray(0, room);
    const lost = bytes.byteLength - kept.byteLength;
    this.dropped += lost;
    if (kept.byteLength > 0) {
      this.items.push({ kind: 'audio', bytes: kept.slice() });
      this.buffered += kept.byteLength;
    }
    return lost;
  }

  /** Queues a mark; returns [name] when nothing is buffered (Twilio echoes it at once), else []. */
  mark(name: string): string[] {
    if (this.items.length === 0) return [name];
    this.items.push({ kind: 'mark', name });
    return [];
  }

  /** Drops every queued byte and returns every pending mark name, which Twilio echoes at once. */
  clear(): string[] {
    const marks = this.pendingMarks;
    this.items.length = 0;
    this.buffered = 0;
    this.carry = 0;
    return marks;
  }

  /** Plays `ms` of time: returns the audio played and the marks whose audio has now all played. */
  advance(ms: number): AdvanceResult {
    if (!(ms >= 0)) throw new RangeError(`advance(ms) needs a non-negative number, got ${ms}`);
    const exact = ms * BYTES_PER_MS + this.carry;
    let budget = Math.floor(exact);
    const chunks: Uint8Array[] = [];
    const marks: string[] = [];
    while (this.items.length > 0) {
      const head = this.items[0] as Item;
      if (head.kind === 'mark') {
        marks.push(head.name);
        this.items.shift();
        continue;
      }
      if (budget === 0) break;
      const take = Math.min(budget, head.bytes.byteLength);
      chunks.push(head.bytes.subarray(0, take));
      budget -= take;
      this.buffered -= take;
      if (take === head.bytes.byteLength) this.items.shift();
      else head.bytes = head.bytes.subarray(take);
    }
    // Idle time is not banked: only a fraction of a byte carries over, and only while audio is queued.
    this.carry = this.items.length > 0 ? exact - Math.floor(exact) : 0;
    return { played: concat(chunks), marks };
  }
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.byteLength;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
