// The small contracts every speech and language provider implements; the media worker and RECORD mode depend only on these.

import type { ProviderError } from './provider-error';

export { PROVIDER_ERRORS, ProviderError, type ProviderErrorCode } from './provider-error';

// ---------- STT ----------

export interface SttResult {
  text: string;
  /** BCP-47 language the recognizer settled on, when it reports one. */
  language?: string;
}

export interface SttSessionEvents {
  /** A partial hypothesis (may change). */
  onPartial?(result: SttResult): void;
  /** A final phrase. */
  onFinal?(result: SttResult): void;
  /** The recognizer heard speech begin (optional capability). */
  onSpeechStart?(): void;
  /** A fatal error: the session is over. */
  onError?(err: ProviderError): void;
}

/** A live recognition session fed with 8 kHz μ-law frames. */
export interface SttSession {
  /** Push raw 8 kHz μ-law bytes (any size). Never throws; errors go to onError. */
  write(mulaw: Uint8Array): void;
  /** Ask the recognizer to finish what it heard so far (end of turn); resolves when the finals are out. */
  flush(): Promise<void>;
  /** Stop and release everything. Idempotent. */
  close(): Promise<void>;
}

export interface SttProvider {
  readonly name: string;
  /** Start streaming recognition. The signal ends the session. */
  start(events: SttSessionEvents, signal: AbortSignal): Promise<SttSession>;
  /** Recognize a whole recording (RECORD mode). `audio` is a WAV file's bytes. */
  recognizeFile(audio: Uint8Array, signal: AbortSignal): Promise<SttResult>;
}

// ---------- LLM ----------

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** For role "tool": the id of the call it answers. */
  toolCallId?: string;
  /** For role "assistant": tool calls it made. */
  toolCalls?: ToolCall[];
}

export interface ToolCall {
  id: string;
  name: 'end_call' | 'transfer_call' | string;
  /** Parsed JSON arguments. */
  arguments: Record<string, unknown>;
}

export type LlmChunk =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; call: ToolCall };

export interface LlmProvider {
  readonly name: string;
  /** Stream a reply to the conversation. Aborting the signal ends the iteration promptly. */
  stream(messages: readonly ChatMessage[], signal: AbortSignal): AsyncIterable<LlmChunk>;
}

// ---------- TTS ----------

export interface TtsProvider {
  readonly name: string;
  /**
   * Synthesize text to raw 8 kHz μ-law (no header), yielding chunks as they arrive.
   * Aborting the signal stops synthesis and ends the iteration promptly.
   */
  synthesize(text: string, signal: AbortSignal, opts?: { language?: string }): AsyncIterable<Uint8Array>;
  /** Releases connections (optional; per-call providers are closed when the call ends). */
  close?(): void | Promise<void>;
}

/** Everything a call needs, named for the startup log. */
export interface ProviderSet {
  stt: SttProvider;
  llm: LlmProvider;
  tts: TtsProvider;
}
