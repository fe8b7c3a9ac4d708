// Test harness: the media worker's server in this process (no pm2, no router) on a free port, with its logs and outcomes.
//
//   const media = await startMediaServer({ authToken: 'tok' });
//   t.teardown(() => media.close());
//   const call = await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), ...media.callParams() });
//   await media.logged((l) => l['event'] === 'WS_START');
//   media.outcomes  // every StreamOutcome reported, in order
//
// Options are MediaServerOptions (all optional here) plus `authToken` (turns signatures and call tokens on).
import type { AddressInfo } from 'node:net';
import { createLogger } from '@tva/logging';
import { createCallToken, twilioSignature, type StreamOutcome } from '@tva/security';
import { createMediaServer, MEDIA_PATH, type MediaServer, type MediaServerOptions } from '../../src/create-media-server';
import { EchoAgent } from '../../src/agents/echo-agent';

export type LogLine = Record<string, unknown>;

export interface MediaServerHarnessOptions extends Partial<Omit<MediaServerOptions, 'logger' | 'twilioAuthToken' | 'onOutcome'>> {
  /** TWILIO_AUTH_TOKEN: upgrades must be signed and `start` must carry a valid call token. */
  authToken?: string;
}

export interface MediaServerHarness {
  /** http://127.0.0.1:PORT — SimulatedCall adds /ws/twilio-media. */
  url: string;
  /** ws://127.0.0.1:PORT/ws/twilio-media */
  wsUrl: string;
  media: MediaServer;
  /** Every outcome the server reported (what would go to webhooks), in order. */
  outcomes: StreamOutcome[];
  /** Every JSON log line so far. */
  logs(): LogLine[];
  /** True once a line matching `pred` is logged (waits up to timeoutMs). */
  logged(pred: (line: LogLine) => boolean, timeoutMs?: number): Promise<boolean>;
  /** Waits until `probe` is true, or throws naming `what`. */
  waitFor(what: string, probe: () => boolean, timeoutMs?: number): Promise<void>;
  /** The X-Twilio-Signature header Twilio would send on the upgrade ({} without authToken). */
  signedHeaders(): Record<string, string>;
  /** customParameters as webhooks' TwiML would make Twilio send them, with a fresh call token. */
  callParams(callSid?: string): { callSid: string; customParameters: Record<string, string> };
  /** Drains (closing every stream with 1001) and stops listening. */
  close(): Promise<void>;
}

const SECRET = 'media-test-call-token-secret';
let calls = 0;

export async function startMediaServer(opts: MediaServerHarnessOptions = {}): Promise<MediaServerHarness> {
  const lines: LogLine[] = [];
  const logger = createLogger({
    service: 'media',
    level: 'debug',
    logTranscripts: true,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });
  const outcomes: StreamOutcome[] = [];
  const { authToken, ...rest } = opts;
  const media = createMediaServer({
    maxPayload: 65536,
    startTimeoutMs: 2000,
    pingIntervalMs: 10_000,
    createAgent: () => new EchoAgent(),
    maxCalls: 10,
    callTokenSecret: SECRET,
    ...rest,
    logger,
    twilioAuthToken: authToken,
    onOutcome: (o) => outcomes.push(o),
  });
  await new Promise<void>((resolve) => media.server.listen(0, '127.0.0.1', resolve));
  const { port } = media.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}${MEDIA_PATH}`;

  const waitFor: MediaServerHarness['waitFor'] = async (what, probe, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    url,
    wsUrl,
    media,
    outcomes,
    logs: () => lines,
    async logged(pred, timeoutMs = 3000) {
      return waitFor('a log line', () => lines.some(pred), timeoutMs).then(
        () => true,
        () => false,
      );
    },
    waitFor,
    signedHeaders: (): Record<string, string> => (authToken ? { 'x-twilio-signature': twilioSignature(authToken, wsUrl) } : {}),
    callParams(callSid = `CA${(++calls).toString(16).padStart(32, '0')}`) {
      return { callSid, customParameters: { call_sid: callSid, call_token: createCallToken(opts.callTokenSecret ?? SECRET, callSid) } };
    },
    async close() {
      await media.drain(0);
      media.server.closeAllConnections();
    },
  };
}
