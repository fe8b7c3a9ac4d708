// Reads the environment against CONFIG_VARS into a typed Config, reporting all problems together.
import path from 'node:path';
import { CONFIG_VARS, type VarSpec } from './config-vars';
import { ConfigError, type ConfigProblem } from './config-error';

export interface Config {
  port: number;
  host: string;
  mediaPort: number;
  webhooksPort: number;
  internalPort: number;
  /** Proxy hops in front of the router whose forwarded headers are trusted. */
  trustProxy: number;
  /** Absolute directory for state that outlives a process. */
  dataDir: string;
  /** Postgres URL for the call records; unset: SQLite under dataDir. */
  databaseUrl: string | undefined;
  recordsRetentionDays: number;
  recordsTranscripts: boolean;
  recordsMaskNumbers: boolean;
  publicBaseUrl: string | undefined;
  deployId: string;
  gitSha: string | undefined;
  logLevel: string;
  logTranscripts: boolean;
  /** auto: pretty on a terminal (decided by ecosystem.config.cjs for pm2's children), else JSON. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** Bearer token for /metrics; undefined: loopback clients only. */
  metricsToken: string | undefined;
  twilioAccountSid: string | undefined;
  twilioAuthToken: string | undefined;
  callTokenSecret: string;
  /** True when no secret was configured and the development key is in use. */
  callTokenSecretIsDefault: boolean;
  agent: 'voice' | 'echo';
  greetingText: string | undefined;
  apologyText: string;
  azureSpeechKey: string | undefined;
  azureSpeechRegion: string | undefined;
  azureSpeechHost: string | undefined;
  offlineStt: 'dtmf' | 'pocketsphinx';
  sttLanguages: string[];
  sttSegmentationSilenceMs: number;
  ttsVoice: string;
  ttsLanguage: string;
  openaiApiKey: string | undefined;
  openaiBaseUrl: string | undefined;
  openaiModel: string;
  systemPromptFile: string | undefined;
  agentScriptFile: string | undefined;
  transferNumber: string | undefined;
  turnEndSilenceMs: number;
  turnMinSpeechMs: number;
  bargeInMs: number;
  vadMode: 0 | 1 | 2 | 3;
  llmTimeoutMs: number;
  ttsTimeoutMs: number;
  sttFinalTimeoutMs: number;
  callMode: 'AUTO' | 'WS' | 'RECORD';
  maxCalls: number;
  webhookRateLimit: number;
  recordMaxLengthS: number;
  recordSilenceTimeoutS: number;
  recordTurnBudgetMs: number;
  startTimeoutMs: number;
  pingIntervalMs: number;
  wsMaxPayload: number;
  upgradeTimeoutMs: number;
  proxyTimeoutMs: number;
  /** unset: the console answers loopback clients only. */
  consolePassword: string | undefined;
  consoleSessionHours: number;
}

type Raw = Record<string, string | number | boolean | string[] | undefined>;

export const E164 = /^\+[1-9]\d{6,14}$/;

const DEV_TOKEN_SECRET = 'development-only-call-token-secret';

function parseOne(spec: VarSpec, value: string, problems: ConfigProblem[]): string | number | boolean | string[] | undefined {
  const bad = (problem: string) => {
    problems.push({ name: spec.name, value: spec.secret ? '<redacted>' : value, problem });
    return undefined;
  };
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(value)) return bad('is not a whole number');
      const n = Number(value);
      if (spec.min !== undefined && n < spec.min) return bad(`is below ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) return bad(`is above ${spec.max}`);
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      return bad('is not true/false');
    case 'enum':
      if (!spec.values?.includes(value)) return bad(`is not one of ${spec.values?.join(', ')}`);
      return value;
    case 'url': {
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        return bad('is not a URL');
      }
      const allowed = spec.protocols ?? ['http:', 'https:'];
      if (!allowed.includes(u.protocol)) return bad(`must start with ${allowed.map((p) => `${p}//`).join(' or ')}`);
      // why: normalising a connection string would drop its user, password and ?sslmode=….
      if (spec.verbatim) return value;
      // why: a trailing slash would produce "//" in TwiML paths (Twilio error 31923).
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    }
    case 'e164':
      if (!E164.test(value)) return bad('is not an E.164 number (+ then 7 to 15 digits, e.g. +972501234567)');
      return value;
    case 'list':
      return value.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return value;
  }
}

/** Parse every variable; throws ConfigError naming every bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: ConfigProblem[] = [];
  const raw: Raw = {};
  for (const spec of CONFIG_VARS) {
    const given = env[spec.name];
    const value = given === undefined || given === '' ? spec.default : given;
    raw[spec.name] = value === undefined ? undefined : parseOne(spec, value, problems);
  }
  const ports = ['PORT', 'MEDIA_PORT', 'WEBHOOKS_PORT', 'INTERNAL_PORT'].map((n) => raw[n]);
  if (ports.every((n) => typeof n === 'number') && new Set(ports).size !== ports.length) {
    problems.push({ name: 'PORT', value: ports.join(','), problem: 'PORT, MEDIA_PORT, WEBHOOKS_PORT and INTERNAL_PORT must differ' });
  }
  // why: with signatures on, the URL they are checked against must not come from a client's Host header.
  if (raw['TWILIO_AUTH_TOKEN'] !== undefined && !env['PUBLIC_BASE_URL']) {
    problems.push({ name: 'PUBLIC_BASE_URL', value: '', problem: 'is required when TWILIO_AUTH_TOKEN is set (the public https URL Twilio calls)' });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const s = (n: string) => raw[n] as string | undefined;
  const i = (n: string) => raw[n] as number;
  const secret = s('CALL_TOKEN_SECRET') ?? s('TWILIO_AUTH_TOKEN');
  return {
    port: i('PORT'),
    host: s('HOST') as string,
    mediaPort: i('MEDIA_PORT'),
    webhooksPort: i('WEBHOOKS_PORT'),
    internalPort: i('INTERNAL_PORT'),
    trustProxy: i('TRUST_PROXY'),
    dataDir: path.resolve(s('DATA_DIR') as string),
    databaseUrl: s('DATABASE_URL'),
    recordsRetentionDays: i('RECORDS_RETENTION_DAYS'),
    recordsTranscripts: raw['RECORDS_TRANSCRIPTS'] as boolean,
    recordsMaskNumbers: raw['RECORDS_MASK_NUMBERS'] as boolean,
    publicBaseUrl: s('PUBLIC_BASE_URL'),
    deployId: s('DEPLOY_ID') as string,
    gitSha: s('GIT_SHA'),
    logLevel: s('LOG_LEVEL') as string,
    logTranscripts: raw['LOG_TRANSCRIPTS'] as boolean,
    logFormat: s('LOG_FORMAT') as 'auto' | 'json' | 'pretty',
    metricsToken: s('METRICS_TOKEN'),
    twilioAccountSid: s('TWILIO_ACCOUNT_SID'),
    twilioAuthToken: s('TWILIO_AUTH_TOKEN'),
    callTokenSecret: secret ?? DEV_TOKEN_SECRET,
    callTokenSecretIsDefault: secret === undefined,
    agent: s('AGENT') as 'voice' | 'echo',
    greetingText: s('GREETING_TEXT'),
    apologyText: s('APOLOGY_TEXT') as string,
    azureSpeechKey: s('AZURE_SPEECH_KEY'),
    azureSpeechRegion: s('AZURE_SPEECH_REGION'),
    azureSpeechHost: s('AZURE_SPEECH_HOST'),
    offlineStt: s('OFFLINE_STT') as 'dtmf' | 'pocketsphinx',
    sttLanguages: raw['STT_LANGUAGES'] as string[],
    sttSegmentationSilenceMs: i('STT_SEGMENTATION_SILENCE_MS'),
    ttsVoice: s('TTS_VOICE') as string,
    ttsLanguage: s('TTS_LANGUAGE') as string,
    openaiApiKey: s('OPENAI_API_KEY'),
    openaiBaseUrl: s('OPENAI_BASE_URL'),
    openaiModel: s('OPENAI_MODEL') as string,
    systemPromptFile: s('SYSTEM_PROMPT_FILE'),
    agentScriptFile: s('AGENT_SCRIPT_FILE'),
    transferNumber: s('TRANSFER_NUMBER'),
    turnEndSilenceMs: i('TURN_END_SILENCE_MS'),
    turnMinSpeechMs: i('TURN_MIN_SPEECH_MS'),
    bargeInMs: i('BARGE_IN_MS'),
    vadMode: i('VAD_MODE') as 0 | 1 | 2 | 3,
    llmTimeoutMs: i('LLM_TIMEOUT_MS'),
    ttsTimeoutMs: i('TTS_TIMEOUT_MS'),
    sttFinalTimeoutMs: i('STT_FINAL_TIMEOUT_MS'),
    callMode: s('CALL_MODE') as 'AUTO' | 'WS' | 'RECORD',
    maxCalls: i('MAX_CALLS'),
    webhookRateLimit: i('WEBHOOK_RATE_LIMIT'),
    recordMaxLengthS: i('RECORD_MAX_LENGTH_S'),
    recordSilenceTimeoutS: i('RECORD_SILENCE_TIMEOUT_S'),
    recordTurnBudgetMs: i('RECORD_TURN_BUDGET_MS'),
    startTimeoutMs: i('START_TIMEOUT_MS'),
    pingIntervalMs: i('PING_INTERVAL_MS'),
    wsMaxPayload: i('WS_MAX_PAYLOAD'),
    upgradeTimeoutMs: i('UPGRADE_TIMEOUT_MS'),
    proxyTimeoutMs: i('PROXY_TIMEOUT_MS'),
    consolePassword: s('CONSOLE_PASSWORD'),
    consoleSessionHours: i('CONSOLE_SESSION_HOURS'),
  };
}
