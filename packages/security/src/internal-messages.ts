// The messages the media worker sends webhooks over loopback (signed with internalSignature).

export interface ConversationTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** How one stream ended, so the <Connect action> can hang up, dial, or continue in RECORD mode. */
export interface StreamOutcome {
  callSid: string;
  streamSid: string;
  /** 'agent-end' | 'transfer' | 'peer' | 'server-shutdown' | a protocol error code | 'twilio-stream-error' … */
  endedBy: string;
  closeCode: number;
  transferTo?: string;
  /** The conversation so far (what was said and what the caller heard). */
  history?: ConversationTurn[];
}
