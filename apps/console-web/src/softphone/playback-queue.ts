// Plays the agent's 8 kHz audio gaplessly and tells when each mark's audio has actually played (or was cleared).
import { MULAW_DECODE_TABLE } from '@tva/audio/dist/mulaw.js';

const RATE = 8000;
/** Queue this far ahead when starting from silence, so frames that arrive a little late do not leave gaps. */
const LEAD_S = 0.06;

interface Scheduled {
  node: AudioBufferSourceNode;
  startAt: number;
  endAt: number;
}

export interface PlaybackCounters {
  /** Milliseconds of agent audio that finished playing (cleared audio counts only the part that played). */
  audioPlayedMs: number;
  /** Marks answered because their audio had played. */
  marksPlayed: number;
  /** Marks answered at once by a `clear` (their audio did not all play). */
  marksCleared: number;
  clears: number;
}

/**
 * Media Streams' rule: a mark is echoed when all audio queued before it has played, at once when nothing is queued,
 * and every pending mark is echoed at once on `clear` (see docs: twilio-media-streams.md). Times are the AudioContext's
 * clock plus its output latency, so "played" means it left the speakers, not just our queue.
 */
export class PlaybackQueue {
  private endAt = 0;
  private readonly scheduled: Scheduled[] = [];
  private readonly marks: { name: string; at: number }[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  readonly counters: PlaybackCounters = { audioPlayedMs: 0, marksPlayed: 0, marksCleared: 0, clears: 0 };

  constructor(
    private readonly ctx: AudioContext,
    private readonly onMark: (name: string, cleared: boolean) => void,
    private readonly onChange: () => void = () => {},
  ) {}

  private get latency(): number {
    return (this.ctx.baseLatency || 0) + (this.ctx.outputLatency || 0);
  }

  /** Queues one chunk of μ-law bytes right after what is already queued. */
  enqueue(mulaw: Uint8Array): void {
    if (mulaw.length === 0) return;
    const buffer = this.ctx.createBuffer(1, mulaw.length, RATE);
    const samples = buffer.getChannelData(0);
    for (let i = 0; i < mulaw.length; i++) samples[i] = (MULAW_DECODE_TABLE[mulaw[i] as number] as number) / 32768;
    const node = this.ctx.createBufferSource();
    node.buffer = buffer;
    node.connect(this.ctx.destination);
    const now = this.ctx.currentTime;
    const startAt = this.endAt > now ? this.endAt : now + LEAD_S;
    node.start(startAt);
    this.endAt = startAt + mulaw.length / RATE;
    this.scheduled.push({ node, startAt, endAt: this.endAt });
    this.ensureTicking();
  }

  /** A mark from the server: answered once everything queued before it has played. */
  mark(name: string): void {
    // endAt is 0 until audio is first queued and again after a clear: nothing can be playing then.
    if (this.endAt === 0 || this.endAt + this.latency <= this.ctx.currentTime) {
      this.counters.marksPlayed += 1;
      this.onMark(name, false);
      this.onChange();
      return;
    }
    this.marks.push({ name, at: this.endAt + this.latency });
    this.ensureTicking();
  }

  /** `clear`: stop at once, drop what is queued, answer every pending mark. */
  clear(): void {
    const now = this.ctx.currentTime;
    for (const s of this.scheduled.splice(0)) {
      if (now > s.startAt) this.counters.audioPlayedMs += (Math.min(now, s.endAt) - s.startAt) * 1000;
      try {
        s.node.stop();
      } catch {
        // already stopped
      }
      s.node.disconnect();
    }
    this.endAt = 0;
    this.counters.clears += 1;
    for (const m of this.marks.splice(0)) {
      this.counters.marksCleared += 1;
      this.onMark(m.name, true);
    }
    this.onChange();
  }

  /** Seconds of audio still to play. */
  get queuedS(): number {
    return Math.max(0, this.endAt - this.ctx.currentTime);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.scheduled.splice(0)) s.node.disconnect();
    this.marks.length = 0;
  }

  private ensureTicking(): void {
    this.timer ??= setInterval(() => this.tick(), 10);
  }

  private tick(): void {
    const now = this.ctx.currentTime;
    let changed = false;
    while (this.scheduled.length > 0 && (this.scheduled[0] as Scheduled).endAt + this.latency <= now) {
      const s = this.scheduled.shift() as Scheduled;
      this.counters.audioPlayedMs += (s.endAt - s.startAt) * 1000;
      s.node.disconnect();
      changed = true;
    }
    while (this.marks.length > 0 && (this.marks[0] as { at: number }).at <= now) {
      const m = this.marks.shift() as { name: string };
      this.counters.marksPlayed += 1;
      this.onMark(m.name, false);
      changed = true;
    }
    if (this.scheduled.length === 0 && this.marks.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (changed) this.onChange();
  }
}
