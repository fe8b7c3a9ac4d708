// pino set up the one way every process uses: JSON lines (or readable ones on a terminal), service name, secrets and caller data redacted.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { emitToTaps } from './log-tap';

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

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  service: 'router' | 'media' | 'webhooks' | 'cli' | string;
  level?: string;
  logTranscripts?: boolean;
  /** LOG_FORMAT (services pass config.logFormat, default auto); unset: JSON, whatever stdout is. */
  format?: LogFormat;
  /** Tests pass a stream to capture lines (always JSON). */
  destination?: pino.DestinationStream;
}

/**
 * json or pretty. Under pm2 a service's stdout is a pipe, so `auto` is settled by ecosystem.config.cjs, which runs in
 * pm2-runtime's own process and sees the terminal; a process started by hand decides from its own stdout.
 */
export function resolveLogFormat(format: LogFormat | undefined, isTTY: boolean = process.stdout.isTTY === true): 'json' | 'pretty' {
  if (format === 'json' || format === 'pretty') return format;
  return isTTY ? 'pretty' : 'json';
}

/** Readable coloured lines: time, level, service, event, message, then the other fields on the same line. */
export function prettyStream(colorize = process.env['NO_COLOR'] === undefined, destination?: NodeJS.WritableStream): pino.DestinationStream {
  // why: sync keeps the last lines before process.exit (a fatal config line) and their order across services.
  return pretty({
    colorize,
    sync: true,
    ...(destination ? { destination } : {}),
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,event',
    messageFormat: '{service} {if event}{event} {end}{msg}',
  });
}

const INFO = 30;

export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? 'info';
  const wanted = pino.levels.values[level] ?? Infinity; // 'silent' has no number: nothing is written
  const out = opts.destination ?? (resolveLogFormat(opts.format ?? 'json') === 'pretty' ? prettyStream() : undefined);
  // why: metrics read info lines (TURN, WS_START) through the log tap, so pino stays enabled at info; with LOG_LEVEL
  // above info the hook drops those lines after the tap has seen them, before they are serialized.
  const floored = wanted > INFO;
  return pino(
    {
      level: floored ? 'info' : level,
      base: { service: opts.service, pid: process.pid },
      redact: { paths: redactPaths(opts.logTranscripts ?? false), censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method, levelNumber) {
          if (levelNumber >= INFO) emitToTaps(levelNumber, args[0], () => this.bindings());
          if (levelNumber < wanted) return;
          return method.apply(this, args);
        },
      },
    },
    out,
  );
}

/** A child logger whose every line carries the call's identifiers. */
export function callLogger(base: Logger, ids: { callSid?: string | undefined; streamSid?: string | undefined }): Logger {
  return base.child({ callSid: ids.callSid, streamSid: ids.streamSid });
}
