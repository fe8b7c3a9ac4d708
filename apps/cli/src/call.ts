// `npm run call`: places one simulated Twilio call against a media stream endpoint and prints what happened.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  SimulatorError,
  formatTimeline,
  mulawFromWav,
  mulawToWav,
  runCall,
  summarize,
  type RunCallOptions,
} from '@tva/call-simulator';
import { createErrorClass } from '@tva/errors';
import { CLI_ERRORS } from './cli-errors';
import { formatCallReport } from './call-report';

const USAGE = `usage: node apps/cli/dist/call.js [URL] [options]

  URL                 ws(s)://host/path, or an http(s) base (gets /ws/twilio-media)
                      default ws://127.0.0.1:$PORT/ws/twilio-media (PORT defaults to 8080)
  --wav FILE          say this WAV file (any rate, mono or stereo, PCM/float/μ-law/A-law)
  --seconds N         seconds of silence after the audio (the whole call without --wav); default 6
  --dtmf 1,2,3        press these digits after the audio
  --param k=v         a <Parameter> for the start message; repeatable
  --protocol NAME     offer this WebSocket subprotocol (Twilio offers none); repeatable
  --out FILE.wav      save what came back as an 8 kHz μ-law WAV
  --json              print one JSON object (summary, timeline, marks, gaps) instead of text
  --verbose           print every timeline event (one line per echoed mark) and the JSON summary
  -h, --help          show this help

exit code: 0 audio came back, 1 the connection failed or nothing came back, 2 bad arguments`;

class UsageError extends createErrorClass('UsageError', CLI_ERRORS) {
  /** What is wrong, printed as is (the catalogue's "bad arguments" would add nothing). */
  declare readonly detail: string;
  constructor(
    what: string,
    /** False for a problem with an input file, where the usage text would only bury the message. */
    readonly showUsage = true,
  ) {
    super('CLI_ERR_USAGE', what);
  }
}

export interface CallArgs {
  options: RunCallOptions;
  out: string | undefined;
  json: boolean;
  verbose: boolean;
  help: boolean;
}

export function parseCallArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CallArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        wav: { type: 'string' },
        out: { type: 'string' },
        dtmf: { type: 'string' },
        seconds: { type: 'string' },
        param: { type: 'string', multiple: true },
        protocol: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`expected at most one URL, got ${positionals.join(' ')}`);
  const url = positionals[0] ?? `ws://127.0.0.1:${env.PORT || 8080}/ws/twilio-media`;

  const seconds = values.seconds === undefined ? 6 : Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--seconds must be a number ≥ 0, got ${values.seconds}`);

  const customParameters: Record<string, string> = {};
  for (const pair of values.param ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--param must look like name=value, got "${pair}"`);
    customParameters[pair.slice(0, at)] = pair.slice(at + 1);
  }

  const dtmf = values.dtmf === undefined ? [] : values.dtmf.split(',').map((d) => d.trim()).filter((d) => d !== '');
  const bad = dtmf.find((d) => !/^[0-9*#A-D]$/.test(d));
  if (bad !== undefined) throw new UsageError(`--dtmf digits are 0-9, *, #, A-D; got "${bad}"`);

  const options: RunCallOptions = { url, trailingSilenceMs: seconds * 1000, dtmf, customParameters };
  if (values.protocol) options.protocols = values.protocol;
  if (values.wav !== undefined) options.audio = loadWav(values.wav);
  return { options, out: values.out, json: values.json ?? false, verbose: values.verbose ?? false, help: values.help ?? false };
}

function loadWav(path: string): Uint8Array {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path} (${code ?? String(err)})`;
    throw new UsageError(`--wav: ${why}`, false);
  }
  try {
    return mulawFromWav(file);
  } catch (err) {
    if (err instanceof SimulatorError) throw new UsageError(`--wav ${path}: ${err.message}`, false);
    throw err;
  }
}

export async function main(argv: string[]): Promise<number> {
  let args: CallArgs;
  try {
    args = parseCallArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(err.showUsage ? `call: ${err.detail}\n\n${USAGE}\n` : `call: ${err.detail}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const result = await runCall(args.options);
  const summary = summarize(result);
  if (args.json) {
    const { timeline, marks, gaps } = result;
    process.stdout.write(`${JSON.stringify({ summary, timeline, marks, gaps })}\n`);
  } else if (args.verbose) {
    process.stdout.write(`call to ${args.options.url}\n${formatTimeline(result)}\n${JSON.stringify(summary)}\n`);
  } else {
    process.stdout.write(`${formatCallReport(args.options.url, result, summary)}\n`);
  }

  if (args.out !== undefined) {
    if (result.received.byteLength > 0) {
      writeFileSync(args.out, mulawToWav(result.received));
      process.stderr.write(`call: wrote ${result.received.byteLength / 8} ms of audio to ${args.out}\n`);
    } else {
      process.stderr.write(`call: nothing came back, ${args.out} not written\n`);
    }
  }

  const opened = result.timeline.some((e) => e.event === 'open');
  if (!opened) {
    const why = result.upgradeStatus !== undefined ? `upgrade refused with HTTP ${result.upgradeStatus}` : (result.errors[0] ?? 'unknown');
    process.stderr.write(`call: connection failed: ${why}\n`);
    return 1;
  }
  if (result.received.byteLength === 0) {
    process.stderr.write('call: connected, but no audio came back\n');
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`call: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
