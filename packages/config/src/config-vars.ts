// The one catalogue of environment variables: name, type, default, meaning; .env.example and the README table follow it.

export type VarType = 'int' | 'string' | 'url' | 'enum' | 'bool' | 'list' | 'e164';

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
  /** For type url: accepted schemes (default http: and https:). */
  protocols?: readonly string[];
  /** For type url: a connection string kept exactly as given (user, password, query such as ?sslmode=require), only checked. */
  verbatim?: boolean;
}

export const CONFIG_VARS: readonly VarSpec[] = [
  { name: 'PORT', type: 'int', default: '8080', min: 1, max: 65535, description: 'Public port the router listens on (0.0.0.0).' },
  { name: 'HOST', type: 'string', default: '0.0.0.0', description: 'Address the router binds.' },
  { name: 'MEDIA_PORT', type: 'int', default: '8081', min: 1, max: 65535, description: 'Media worker port (127.0.0.1 only).' },
  { name: 'WEBHOOKS_PORT', type: 'int', default: '8082', min: 1, max: 65535, description: 'Webhooks port (127.0.0.1 only).' },
  { name: 'INTERNAL_PORT', type: 'int', default: '8083', min: 1, max: 65535, description: 'Webhooks\' internal listener for the media worker\'s notices (127.0.0.1 only; the router never proxies to it).' },
  { name: 'PUBLIC_BASE_URL', type: 'url', description: 'Public https URL Twilio calls (e.g. https://agent.example.com). Required when TWILIO_AUTH_TOKEN is set; unset: taken from the scheme and host of each request.' },
  { name: 'TRUST_PROXY', type: 'int', default: '0', min: 0, max: 10, description: 'Proxy hops in front of the router whose X-Forwarded-For/Proto/Host are trusted (Replit: 1); 0 ignores those headers from clients.' },
  { name: 'DATA_DIR', type: 'string', default: 'data', description: 'Directory for state that must survive a process restart (used call tokens); relative paths are from the working directory.' },
  { name: 'DATABASE_URL', type: 'url', secret: true, protocols: ['postgres:', 'postgresql:'], verbatim: true, description: 'Postgres for the call records (postgres://user:password@host:5432/db); unset: an SQLite file under DATA_DIR. Use it on Replit: a deployment\'s disk is reset on every deploy.' },
  { name: 'RECORDS_RETENTION_DAYS', type: 'int', default: '30', min: 1, max: 3650, description: 'Call records older than this are purged (checked periodically).' },
  { name: 'RECORDS_TRANSCRIPTS', type: 'bool', default: 'true', description: 'Keep what the caller and the agent said in the call records; off: only timings, events and outcomes are kept.' },
  { name: 'RECORDS_MASK_NUMBERS', type: 'bool', default: 'true', description: 'Store callers\' numbers with only their last 4 digits (+*******4567), which a number-suffix search still finds; off: full numbers.' },
  { name: 'DEPLOY_ID', type: 'string', default: 'local', description: 'Names this deployment; shown by /version and checked by gonogo --deploy-id.' },
  { name: 'GIT_SHA', type: 'string', description: 'Commit shown by /version; unset: read from git at start when a checkout is present.' },
  { name: 'LOG_LEVEL', type: 'enum', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: 'pino log level.' },
  { name: 'LOG_TRANSCRIPTS', type: 'bool', default: 'false', description: 'Log what callers and the agent said; off: transcript text is redacted.' },
  { name: 'LOG_FORMAT', type: 'enum', default: 'auto', values: ['auto', 'json', 'pretty'], description: 'Log lines as JSON, or readable coloured lines (pino-pretty); auto: pretty when `npm start` runs on a terminal, else JSON.' },
  { name: 'METRICS_TOKEN', type: 'string', secret: true, description: 'Bearer token for the Prometheus scrape URL (/metrics on the router); unset: /metrics answers loopback clients only.' },
  { name: 'TWILIO_ACCOUNT_SID', type: 'string', description: 'Account SID, used to fetch recordings in RECORD mode.' },
  { name: 'TWILIO_AUTH_TOKEN', type: 'string', secret: true, description: 'Set it in production: webhooks and the WebSocket upgrade then require a valid X-Twilio-Signature.' },
  { name: 'CALL_TOKEN_SECRET', type: 'string', secret: true, description: 'Key for the per-call token passed in <Parameter>; defaults to TWILIO_AUTH_TOKEN, else a development key.' },
  { name: 'AGENT', type: 'enum', default: 'voice', values: ['voice', 'echo'], description: 'What talks to the caller: voice is the AI agent; echo plays the caller back (line test).' },
  { name: 'GREETING_TEXT', type: 'string', description: 'What the agent says first (synthesized once, cached); unset: the offline script\'s greeting, or a short Hebrew hello with an LLM.' },
  { name: 'APOLOGY_TEXT', type: 'string', default: 'סליחה, הייתה לי תקלה קטנה. אפשר לחזור על זה?', description: 'Said when a provider fails or times out, instead of silence.' },
  { name: 'AZURE_SPEECH_KEY', type: 'string', secret: true, description: 'Azure Speech key; set it to use Azure STT and TTS (else the offline voice is used).' },
  { name: 'AZURE_SPEECH_REGION', type: 'string', description: 'Azure Speech region, e.g. westeurope (or set AZURE_SPEECH_HOST).' },
  { name: 'AZURE_SPEECH_HOST', type: 'url', protocols: ['ws:', 'wss:', 'http:', 'https:'], description: 'Custom Azure Speech endpoint host (ws:// or wss://), e.g. a container or a test fake.' },
  { name: 'OFFLINE_STT', type: 'enum', default: 'dtmf', values: ['dtmf', 'pocketsphinx'], description: 'Without Azure: dtmf recognizes key presses only; pocketsphinx also spots English keywords of the agent script (experimental, weak on phone audio).' },
  { name: 'STT_LANGUAGES', type: 'list', default: 'he-IL', description: 'Recognition languages; two or more (e.g. he-IL,en-US) turn on language auto-detection.' },
  { name: 'STT_SEGMENTATION_SILENCE_MS', type: 'int', default: '500', min: 100, max: 5000, description: 'Azure end-of-phrase silence.' },
  { name: 'TTS_VOICE', type: 'string', default: 'he-IL-HilaNeural', description: 'Azure voice name.' },
  { name: 'TTS_LANGUAGE', type: 'string', default: 'he-IL', description: 'Language of the agent voice (SSML xml:lang; offline voice choice).' },
  { name: 'OPENAI_API_KEY', type: 'string', secret: true, description: 'Key for an OpenAI-compatible LLM; unset: the scripted offline stand-in answers.' },
  { name: 'OPENAI_BASE_URL', type: 'url', description: 'OpenAI-compatible endpoint (Azure OpenAI, vLLM, llama.cpp, Ollama …), e.g. http://127.0.0.1:8000/v1.' },
  { name: 'OPENAI_MODEL', type: 'string', default: 'gpt-4o-mini', description: 'Chat model name.' },
  { name: 'SYSTEM_PROMPT_FILE', type: 'string', description: 'A text file with the system prompt; unset: a short built-in prompt.' },
  { name: 'AGENT_SCRIPT_FILE', type: 'string', description: 'The offline scripted agent\'s intents and replies (JSON); unset: the built-in demo script.' },
  { name: 'TRANSFER_NUMBER', type: 'e164', description: 'Where transfer_call sends the caller (E.164, e.g. +972501234567); unset: the agent offers no transfer.' },
  { name: 'TURN_END_SILENCE_MS', type: 'int', default: '700', min: 100, max: 5000, description: 'Caller silence that ends a turn.' },
  { name: 'TURN_MIN_SPEECH_MS', type: 'int', default: '200', min: 20, max: 5000, description: 'Shorter sounds are not a turn.' },
  { name: 'BARGE_IN_MS', type: 'int', default: '200', min: 20, max: 5000, description: 'Caller speech this long while the agent talks interrupts it.' },
  { name: 'VAD_MODE', type: 'int', default: '3', min: 0, max: 3, description: 'WebRTC VAD aggressiveness, 0 (least) to 3 (most).' },
  { name: 'LLM_TIMEOUT_MS', type: 'int', default: '4000', min: 100, description: 'No first LLM token by then: apology.' },
  { name: 'TTS_TIMEOUT_MS', type: 'int', default: '3000', min: 100, description: 'No first TTS audio by then: apology.' },
  { name: 'STT_FINAL_TIMEOUT_MS', type: 'int', default: '1500', min: 50, description: 'After end of turn, how long to wait for the recognizer\'s final text.' },
  { name: 'CALL_MODE', type: 'enum', default: 'AUTO', values: ['AUTO', 'WS', 'RECORD'], description: 'WS: always stream; RECORD: always turn-by-turn <Record>; AUTO: stream, and fall back to RECORD when the media worker is down or a stream fails.' },
  { name: 'MAX_CALLS', type: 'int', default: '300', min: 1, description: 'Concurrent streams the media worker accepts; more are refused (HTTP 503 on the upgrade, so Twilio continues the call at the <Connect action>) with a log line.' },
  { name: 'WEBHOOK_RATE_LIMIT', type: 'int', default: '600', min: 1, description: 'Webhook requests per minute per client address (Twilio shares addresses across calls; /audio fetches are not counted); more get 429.' },
  { name: 'RECORD_MAX_LENGTH_S', type: 'int', default: '30', min: 2, max: 3600, description: 'RECORD mode: longest caller turn recorded.' },
  { name: 'RECORD_SILENCE_TIMEOUT_S', type: 'int', default: '2', min: 1, max: 60, description: 'RECORD mode: silence that ends a recorded turn.' },
  { name: 'RECORD_TURN_BUDGET_MS', type: 'int', default: '11000', min: 1000, max: 14000, description: 'RECORD mode: if the answer is not ready by then, say a hold phrase and <Redirect> (Twilio allows 15 s).' },
  { name: 'START_TIMEOUT_MS', type: 'int', default: '5000', min: 100, description: 'A stream with no valid start by then is closed with 1008.' },
  { name: 'PING_INTERVAL_MS', type: 'int', default: '10000', min: 100, description: 'The media worker pings each stream this often; no pong by the next ping ends it.' },
  { name: 'WS_MAX_PAYLOAD', type: 'int', default: '65536', min: 1024, description: 'Largest WebSocket message accepted from Twilio, bytes (a media frame is ~400).' },
  { name: 'UPGRADE_TIMEOUT_MS', type: 'int', default: '3000', min: 100, description: 'Router: a WebSocket upgrade not answered by the media worker in this time gets 503.' },
  { name: 'PROXY_TIMEOUT_MS', type: 'int', default: '10000', min: 100, description: 'Router: an HTTP request not answered by webhooks in this time gets 504.' },
  { name: 'CONSOLE_PASSWORD', type: 'string', secret: true, description: 'Password of the web console (/console); unset: the console answers loopback clients only (never the internet).' },
  { name: 'CONSOLE_SESSION_HOURS', type: 'int', default: '12', min: 1, max: 720, description: 'How long a console login lasts.' },
];
