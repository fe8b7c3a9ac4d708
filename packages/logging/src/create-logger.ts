// pino set up the one way every process uses: JSON lines, service name, secrets and caller data redacted.
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths pino censors in every line: secrets always; caller numbers always; transcripts unless enabled. */
export function redactPaths(logTranscripts: boolean): string[] {
  const secrets = [
    'authToken', '*.authToken', 'apiKey', '*.apiKey', 'key', '*.key', 'token', '*.token', 'callToken', '*.callToken',
    'req.headers.authorization', 'req.headers["x-twilio-signature"]', 'headers.authorization', 'headers["x-twilio-signature"]',
    'customParameters.call_token', '*.customParameters.call_token',
  ];
  const callers = ['From', 'To', 'Caller', 'Called', 'from', 'to', 'caller', '*.From', '*.To', '*.Caller', '*.Called', '*.from', '*.to', '*.caller'];
  const transcripts = ['text', 'transcript', 'reply', '*.text', '*.transcript', '*.reply'];
  return logTranscripts ? [...secrets, ...callers] : [...secrets, ...callers, ...transcripts];
}

export interface LoggerOptions {
  service: 'router' | 'media' | 'webhooks' | 'cli' | string;
  level?: string;
  logTranscripts?: boolean;
  /** Tests pass a stream to capture lines. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service, pid: process.pid },
      redact: { paths: redactPaths(opts.logTranscripts ?? false), censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination,
  );
}

/** A child logger whose every line carries the call's identifiers. */
export function callLogger(base: Logger, ids: { callSid?: string | undefined; streamSid?: string | undefined }): Logger {
  return base.child({ callSid: ids.callSid, streamSid: ids.streamSid });
}
