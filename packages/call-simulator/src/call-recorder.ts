// Plays Twilio's side of everything the server sends: validates it strictly, runs the playback model, echoes marks, keeps the record.
import { decodePayload, parseServerMessage, ProtocolError } from '@tva/twilio-media-stream';
import { GapTracker } from './gap-tracker';
import { concat, PlaybackBuffer } from './playback-buffer';
import type { MarkRecord, TimelineEntry, TimelineEvent } from './call-result';

export interface RecorderHooks {
  /** Sends a mark echo to the server, as Twilio does. */
  echoMark(name: string): void;
  emit(event: string, ...args: unknown[]): void;
}

/** Twilio's warning numbers for what a server may get wrong (from Twilio's Media Streams error and warning list). */
const TWILIO_WARNING: Record<string, string> = { TMS_ERR_BINARY_FRAME: '31950' };

export class CallRecorder {
  readonly timeline: TimelineEntry[] = [];
  readonly marks: MarkRecord[] = [];
  readonly clears: number[] = [];
  readonly errors: string[] = [];
  readonly playback = new PlaybackBuffer();
  readonly gapTracker = new GapTracker();
  firstAudioMs: number | null = null;
  private readonly receivedChunks: Uint8Array[] = [];
  private readonly playedChunks: Uint8Array[] = [];
  private readonly pending = new Map<string, MarkRecord[]>();
  private lastTickMs: number;

  constructor(
    /** Milliseconds since the call began. */
    private readonly clock: () => number,
    private readonly hooks: RecorderHooks,
  ) {
    this.lastTickMs = clock();
  }

  get received(): Uint8Array {
    return concat(this.receivedChunks);
  }

  get played(): Uint8Array {
    return concat(this.playedChunks);
  }

  note(event: TimelineEvent, detail?: string): void {
    const entry: TimelineEntry = { atMs: Math.round(this.clock()), event };
    if (detail !== undefined) entry.detail = detail;
    this.timeline.push(entry);
  }

  error(message: string): void {
    this.errors.push(message);
    this.note('error', message);
  }

  /** Brings the playback model up to now, echoing every mark whose audio has played. */
  tick(): void {
    const now = this.clock();
    const { played, marks } = this.playback.advance(Math.max(0, now - this.lastTickMs));
    this.lastTickMs = now;
    if (played.byteLength > 0) this.playedChunks.push(played);
    for (const name of marks) this.echo(name, false);
  }

  /** One text frame from the server. Invalid frames are recorded and ignored, as Twilio does (31951). */
  onText(text: string, streamSid: string): void {
    this.tick();
    let msg;
    try {
      msg = parseServerMessage(text, streamSid);
    } catch (err) {
      this.protocolError(err);
      return;
    }
    switch (msg.event) {
      case 'media': {
        const bytes = new Uint8Array(decodePayload(msg));
        const now = this.clock();
        if (this.firstAudioMs === null && bytes.byteLength > 0) {
          this.firstAudioMs = Math.round(now);
          this.note('first-audio');
        }
        const gap = this.gapTracker.audio(now, bytes.byteLength);
        if (gap) this.timeline.push({ atMs: Math.round(gap.atMs), event: 'gap', detail: `${Math.round(gap.ms)} ms` });
        this.receivedChunks.push(bytes);
        const dropped = this.playback.enqueue(bytes);
        if (dropped > 0) this.error(`31931: ${dropped} bytes over the 10-minute buffer dropped`);
        this.hooks.emit('media', bytes);
        break;
      }
      case 'mark': {
        const record: MarkRecord = { name: msg.mark.name, sentAtMs: Math.round(this.clock()), echoedAtMs: null, clearedBeforePlay: false };
        this.marks.push(record);
        const queue = this.pending.get(record.name) ?? [];
        queue.push(record);
        this.pending.set(record.name, queue);
        this.hooks.emit('mark-sent-by-server', record.name);
        for (const name of this.playback.mark(record.name)) this.echo(name, false);
        break;
      }
      case 'clear': {
        const now = this.clock();
        this.clears.push(Math.round(now));
        this.gapTracker.clear(now);
        const names = this.playback.clear();
        this.note('clear', names.length > 0 ? `released ${names.join(', ')}` : undefined);
        this.hooks.emit('clear', names);
        // Twilio echoes them all at once: one timestamp for the lot.
        for (const name of names) this.echo(name, true, now);
        break;
      }
    }
  }

  onBinary(byteLength: number): void {
    this.protocolError(new ProtocolError('TMS_ERR_BINARY_FRAME', `${byteLength} bytes`));
  }

  private protocolError(err: unknown): void {
    if (err instanceof ProtocolError) {
      this.error(`${TWILIO_WARNING[err.code] ?? '31951'} ${err.code}: ${err.message}`);
    } else {
      this.error(String(err));
    }
  }

  private echo(name: string, cleared: boolean, atMs = this.clock()): void {
    const record = this.pending.get(name)?.shift();
    if (record) {
      record.echoedAtMs = Math.round(atMs);
      record.clearedBeforePlay = cleared;
    }
    this.note('mark-echoed', cleared ? `${name} (cleared)` : name);
    this.hooks.echoMark(name);
    this.hooks.emit('mark-echoed', name, { clearedBeforePlay: cleared });
  }
}
