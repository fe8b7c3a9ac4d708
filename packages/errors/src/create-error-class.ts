// The one error factory every package uses (after fastify's createError): a catalogue of codes in, an error class out.

/** One catalogue entry: what the code means, and what a server answers when it refuses a request with it. */
export interface ErrorSpec {
  message: string;
  /** HTTP status to answer with. */
  status?: number;
  /** WebSocket close code to close with. */
  closeCode?: number;
}

export type ErrorCatalogue = Readonly<Record<string, ErrorSpec>>;

/** The shape every error of ours has: a stable `code` to match on, plus what to answer with when that applies. */
export interface CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  /** What exactly was wrong (a field, a value's length, a URL's host…), when known; never a secret. */
  readonly detail: string | undefined;
  readonly status: number | undefined;
  readonly closeCode: number | undefined;
}

export interface CodedErrorClass<C extends ErrorCatalogue> {
  new (code: keyof C & string, detail?: string, options?: { cause?: unknown }): CodedError<keyof C & string>;
  readonly catalogue: C;
  readonly prototype: CodedError<keyof C & string>;
}

/** e.g. `export class WebhookError extends createErrorClass('WebhookError', WEBHOOK_ERRORS) {}` */
export function createErrorClass<C extends ErrorCatalogue>(name: string, catalogue: C): CodedErrorClass<C> {
  class Coded extends Error implements CodedError<keyof C & string> {
    static readonly catalogue = catalogue;
    readonly code: keyof C & string;
    readonly detail: string | undefined;
    readonly status: number | undefined;
    readonly closeCode: number | undefined;

    constructor(code: keyof C & string, detail?: string, options?: { cause?: unknown }) {
      const spec = catalogue[code] as ErrorSpec;
      super(detail === undefined ? spec.message : `${spec.message}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
      this.name = name;
      this.code = code;
      this.detail = detail;
      this.status = spec.status;
      this.closeCode = spec.closeCode;
    }
  }
  return Coded;
}

/** True for any error made by a class from createErrorClass (or shaped like one). */
export function isCodedError(err: unknown): err is CodedError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}
