// Knows, from Twilio's echoed marks, how much of each spoken sentence the caller actually heard.

interface SentChunk {
  mark: string;
  sentence: number;
  bytes: number;
  played: boolean;
}

interface Sentence {
  text: string;
  bytes: number;
}

/** Tracks one turn's outbound audio. A `clear` makes Twilio echo every pending mark, so marks after it prove nothing. */
export class PlaybackTracker {
  private chunks: SentChunk[] = [];
  private byMark = new Map<string, SentChunk>();
  private sentences: Sentence[] = [];
  private cleared = false;

  /** Starts a sentence; returns its index for `chunkSent`. */
  beginSentence(text: string): number {
    this.sentences.push({ text, bytes: 0 });
    return this.sentences.length - 1;
  }

  chunkSent(sentence: number, mark: string, bytes: number): void {
    const chunk = { mark, sentence, bytes, played: false };
    this.chunks.push(chunk);
    this.byMark.set(mark, chunk);
    const s = this.sentences[sentence];
    if (s) s.bytes += bytes;
  }

  /** Twilio echoed a mark. Returns true when it was one of ours. */
  markEchoed(mark: string): boolean {
    const chunk = this.byMark.get(mark);
    if (!chunk) return false;
    if (!this.cleared) chunk.played = true;
    this.byMark.delete(mark);
    return true;
  }

  /** Audio is still queued at Twilio (marks not yet echoed). */
  get playing(): boolean {
    return !this.cleared && this.byMark.size > 0;
  }

  get pendingMarks(): number {
    return this.byMark.size;
  }

  /** We sent `clear`: from now on echoed marks are flushes, not playback. */
  clear(): void {
    this.cleared = true;
  }

  /** Milliseconds of audio confirmed played (8 bytes per ms). */
  get playedMs(): number {
    return this.chunks.filter((c) => c.played).reduce((n, c) => n + c.bytes, 0) / 8;
  }

  /**
   * The text the caller heard: whole sentences whose audio all played, plus the heard share of a
   * partly played one, cut at a word boundary and marked with "…".
   */
  heardText(): string {
    const parts: string[] = [];
    this.sentences.forEach((s, i) => {
      const played = this.chunks.filter((c) => c.sentence === i && c.played).reduce((n, c) => n + c.bytes, 0);
      if (s.bytes === 0 || played === 0) return;
      if (played >= s.bytes) {
        parts.push(s.text);
        return;
      }
      const words = s.text.split(/\s+/).filter(Boolean);
      const keep = Math.floor((words.length * played) / s.bytes);
      if (keep > 0) parts.push(`${words.slice(0, keep).join(' ')}…`);
    });
    return parts.join(' ');
  }
}
