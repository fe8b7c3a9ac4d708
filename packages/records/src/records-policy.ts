// What the store does to text before writing it: drop transcripts when they are off, mask caller numbers, scrub secrets.
import type { RecordsStoreConfig } from './records-types';

export interface RecordsPolicy {
  /** The caller's number as stored (masked when masking is on). */
  number(raw: string | null | undefined): string | null;
  /** Caller or agent speech as stored: null when transcripts are off. */
  transcript(text: string | null | undefined): string | null;
  /** Any other free text (event detail, codes, provider names): secrets replaced. */
  text(value: string | null | undefined): string | null;
}

/** '+972501234567' → '+********4567': the last 4 digits stay, so a number-suffix search still finds the call. */
export function maskNumber(raw: string): string {
  const digits = raw.replace(/\D/g, '').length;
  let seen = 0;
  return raw.replace(/\d/g, (d) => (++seen > digits - 4 ? d : '*'));
}

const MIN_SECRET_LENGTH = 6;

export function recordsPolicy(config: RecordsStoreConfig): RecordsPolicy {
  const secrets = [config.twilioAuthToken, config.callTokenSecret, config.openaiApiKey, config.azureSpeechKey, config.consolePassword, ...(config.secrets ?? [])]
    // why: a very short "secret" would blank ordinary words out of every transcript; a real key is far longer.
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  const scrub = (value: string): string => secrets.reduce((v, s) => v.split(s).join('[redacted]'), value);
  const transcripts = config.recordsTranscripts ?? true;
  const mask = config.recordsMaskNumbers ?? true;
  return {
    number: (raw) => (raw == null || raw === '' ? null : mask ? maskNumber(scrub(raw)) : scrub(raw)),
    transcript: (text) => (!transcripts || text == null ? null : scrub(text)),
    text: (value) => (value == null ? null : scrub(value)),
  };
}
