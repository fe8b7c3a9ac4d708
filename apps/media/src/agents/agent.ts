// The contract between a CallSession and whatever talks to the caller (the echo line test, the voice agent).
import type { Logger } from '@tva/logging';
import type { CallAction, ConversationTurn } from '@tva/security';

export type { CallAction, ConversationTurn };

export interface StartInfo {
  callSid: string;
  streamSid: string;
  customParameters: Record<string, string>;
}

/** What an agent may do to the call. */
export interface AgentContext {
  readonly log: Logger;
  /** Who is on the line: a Twilio phone call, or the console's softphone (the call's record says so). */
  readonly direction?: 'phone' | 'browser';
  /** Queue μ-law audio to the caller; a mark with this name follows it when given. */
  sendAudio(mulaw: Uint8Array, markName?: string): void;
  /** Drop everything queued at Twilio (barge-in). */
  clear(): void;
  /** End the stream on purpose: hang up, or transfer the caller (the <Connect action> then dials `action.to`). */
  endCall(action: CallAction): void;
}

export interface Agent {
  start(ctx: AgentContext, info: StartInfo): void;
  media(payload: Buffer): void;
  dtmf(digit: string): void;
  /** Twilio echoed a mark: the audio before it has played (or a clear flushed it). */
  mark(name: string): void;
  /** The stream is over; release everything. */
  stop(): void;
  /** No turn in progress and no audio left to play; shutdown waits for this before handing the call to RECORD mode. */
  idle?(): boolean;
  /** The conversation so far (what the caller said and what they heard), handed to RECORD mode when the stream fails. */
  history?(): ConversationTurn[];
}

