// Twilio-shaped identifiers for tests (prefix + 32 hex), stable per label: webhooks refuse any other format.
import { createHash } from 'node:crypto';

export type SidPrefix = 'CA' | 'AC' | 'MZ' | 'RE';

/** e.g. sid('CA', 'transfer') → "CA" + 32 hex digits; the same label always gives the same sid. */
export function sid(prefix: SidPrefix, label: string | number): string {
  return prefix + createHash('md5').update(`${prefix}:${label}`).digest('hex');
}
