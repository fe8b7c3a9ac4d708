// The one catalogue of environment variables: name, type, default, meaning; .env.example and the README table follow it.

export type VarType = 'int' | 'string' | 'url' | 'enum' | 'bool' | 'list';

export interface VarSpec {
  name: string;
  type: VarType;
  /** Default as the environment would spell it; undefined = optional with no default. */
  default?: string;
  description: string;
  /** Never logged, never shown by /version. */
  secret?: boolean;
  values?: readonly string[];
  min?: number;
  max?: number;
}

export const CONFIG_VARS: readonly VarSpec[] = [
  { name: 'PORT', type: 'int', default: '8080', min: 1, max: 65535, description: 'Public port the router listens on (0.0.0.0).' },
  { name: 'HOST', type: 'string', default: '0.0.0.0', description: 'Address the router binds.' },
  { name: 'MEDIA_PORT', type: 'int', default: '8081', min: 1, max: 65535, description: 'Media worker port (127.0.0.1 only).' },
  { name: 'WEBHOOKS_PORT', type: 'int', default: '8082', min: 1, max: 65535, description: 'Webhooks port (127.0.0.1 only).' },
  { name: 'PUBLIC_BASE_URL', type: 'url', description: 'Public https URL Twilio calls (e.g. https://agent.example.com). Unset: taken from the forwarded scheme and host of each request.' },
  { name: 'DEPLOY_ID', type: 'string', default: 'local', description: 'Names this deployment; shown by /version and checked by gonogo --deploy-id.' },
  { name: 'GIT_SHA', type: 'string', description: 'Commit shown by /version; unset: read from git at start when a checkout is present.' },
  { name: 'LOG_LEVEL', type: 'enum', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: 'pino log level.' },
  { name: 'LOG_TRANSCRIPTS', type: 'bool', default: 'false', description: 'Log what callers and the agent said; off: transcript text is redacted.' },
  { name: 'TWILIO_ACCOUNT_SID', type: 'string', description: 'Account SID, used to fetch recordings in RECORD mode.' },
  { name: 'TWILIO_AUTH_TOKEN', type: 'string', secret: true, description: 'Set it in production: webhooks and the WebSocket upgrade then require a valid X-Twilio-Signature.' },
  { name: 'CALL_TOKEN_SECRET', type: 'string', secret: true, description: 'Key for the per-call token passed in <Parameter>; defaults to TWILIO_AUTH_TOKEN, else a development key.' },
  { name: 'AGENT', type: 'enum', default: 'echo', values: ['echo'], description: 'What talks to the caller: echo plays the caller back (line test).' },
  { name: 'START_TIMEOUT_MS', type: 'int', default: '5000', min: 100, description: 'A stream with no valid start by then is closed with 1008.' },
  { name: 'PING_INTERVAL_MS', type: 'int', default: '10000', min: 100, description: 'The media worker pings each stream this often; no pong by the next ping ends it.' },
  { name: 'WS_MAX_PAYLOAD', type: 'int', default: '65536', min: 1024, description: 'Largest WebSocket message accepted from Twilio, bytes (a media frame is ~400).' },
  { name: 'UPGRADE_TIMEOUT_MS', type: 'int', default: '3000', min: 100, description: 'Router: a WebSocket upgrade not answered by the media worker in this time gets 503.' },
  { name: 'PROXY_TIMEOUT_MS', type: 'int', default: '10000', min: 100, description: 'Router: an HTTP request not answered by webhooks in this time gets 504.' },
];
