// The small contracts every speech and language provider implements; the media worker and RECORD mode depend only on these.

/** Stable codes a caller can match on; `retryable` says whether trying again may help. */
export type ProviderErrorCode =
  | 'PROVIDER_AUTH' // 401/403, bad key
  | 'PROVIDER_TIMEOUT' // no answer in time
  | 'PROVIDER_CONNECTION' // socket dropped, connection refused
  | 'PROVIDER_RATE_LIMIT' // 429
  | 'PROVIDER_BAD_RESPONSE' // the service answered something we cannot use
  | 'PROVIDER_ABORTED' // our own AbortSignal fired (barge-in, hang-up)
  | 'PROVIDER_UNAVAILABLE'; // not configured or not installed on this machine

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  /** Which provider raised it, e.g. "azure-stt", "openai-llm". */
  readonly provider: string;
  /** The provider's own code or status, when it gave one (e.g. 401, "AuthenticationFailure"). */
  readonly providerCode: string | number | undefined;

  constructor(
    provider: string,
    code: ProviderErrorCode,
    message: string,
    opts: { retryable?: boolean; providerCode?: string | number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.code = code;
    this.retryable = opts.retryable ?? (code === 'PROVIDER_TIMEOUT' || code === 'PROVIDER_CONNECTION' || code === 'PROVIDER_RATE_LIMIT');
    this.providerCode = opts.providerCode;
  }
}

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
