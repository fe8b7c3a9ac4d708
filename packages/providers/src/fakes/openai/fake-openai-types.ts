// Options, scripted replies and request records of the fake OpenAI chat-completions server.

/** A tool call the fake streams back; `arguments` may be an object (JSON-encoded for you) or raw text. */
export interface FakeToolCall {
  id?: string;
  name: string;
  arguments?: Record<string, unknown> | string;
}

/** How a reply's text is cut into streamed deltas. */
export type FakeSplit = 'words' | 'chars' | 'whole' | ((text: string) => string[]);

/** Per-reply behaviour; any field left out falls back to the server options. */
export interface FakeReply {
  text?: string;
  toolCalls?: FakeToolCall[];
  /** Answer with this HTTP status and the OpenAI JSON error body instead of a completion. */
  status?: number;
  /** Override the error body's `error.code` / `error.message`. */
  errorCode?: string | null;
  errorMessage?: string;
  /** Destroy the socket after this many streamed content/argument deltas. */
  dropAfterTokens?: number;
  /** Accept the request and never answer (no headers). */
  hang?: boolean;
  firstTokenDelayMs?: number;
  interTokenDelayMs?: number;
  split?: FakeSplit;
  /** Add Azure OpenAI's content-filter chunks (a first one with no choices, a last one with no delta). */
  azureFilter?: boolean;
}

export interface FakeOpenAIRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: Record<string, unknown> | undefined;
  model: unknown;
  messages: unknown[];
  tools: unknown[] | undefined;
  stream: boolean;
  /** True when the client closed the connection before the fake finished answering. */
  clientClosedEarly: boolean;
  /** Resolves when the answer ended or the connection closed, whichever is first. */
  settled: Promise<void>;
}

export type FakeReplyFunction = (request: FakeOpenAIRequest) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAIOptions {
  /** Computes each reply from the request (used when the queue is empty). */
  reply?: FakeReplyFunction;
  /** Replies served in order, one per request, before `reply` is consulted. */
  replies?: FakeReply[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
  /** The `model` echoed in chunks when the request names none. Default "gpt-4o-mini". */
  model?: string;
  firstTokenDelayMs?: number;
  interTokenDelayMs?: number;
  split?: FakeSplit;
  status?: number;
  dropAfterTokens?: number;
  hang?: boolean;
  azureFilter?: boolean;
}

export interface FakeOpenAI {
  /** e.g. http://127.0.0.1:54321/v1 — pass as the SDK's baseURL. */
  readonly baseURL: string;
  readonly port: number;
  readonly requests: FakeOpenAIRequest[];
  /** Append replies to the queue. */
  enqueue(...replies: FakeReply[]): void;
  /** Resolves with the n-th request (0-based) once it has arrived. */
  waitForRequest(index: number): Promise<FakeOpenAIRequest>;
  close(): Promise<void>;
}
