// Checks a Twilio webhook's form fields at the edge: identifiers by format, digits by alphabet, no control characters.
import { WebhookError } from './webhook-errors';

/** The formats of the Twilio fields we key on or echo into TwiML (Twilio's own API patterns: prefix + 32 hex). */
export const TWILIO_FIELD_FORMATS: Readonly<Record<string, RegExp>> = {
  CallSid: /^CA[0-9a-fA-F]{32}$/,
  ParentCallSid: /^CA[0-9a-fA-F]{32}$/,
  AccountSid: /^AC[0-9a-fA-F]{32}$/,
  // why: not StreamSid — a real log has shown a UUID-style stream id; it is only checked for control characters.
  RecordingSid: /^RE[0-9a-fA-F]{32}$/,
  // why: <Record>'s action reports the key that ended the recording, or "hangup" when the caller hung up.
  Digits: /^(?:[0-9*#]*|hangup)$/,
};

/**
 * Characters that are not allowed in XML 1.0 (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates), plus DEL and C1
 * controls: none of them has a place in anything Twilio sends, and any of them would make the TwiML we echo it into not XML.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws WebhookError('WH_ERR_BAD_FIELD', field) for the first field that is repeated, has control characters or a bad format. */
export function assertTwilioForm(form: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(form)) {
    if (FORBIDDEN.test(name)) throw new WebhookError('WH_ERR_BAD_FIELD', '(name)');
    // why: a repeated field parses to an array; Twilio never repeats one, and code downstream reads strings.
    if (typeof value !== 'string') throw new WebhookError('WH_ERR_BAD_FIELD', name);
    if (FORBIDDEN.test(value)) throw new WebhookError('WH_ERR_BAD_FIELD', name);
    // why: own keys only — a field named "constructor" must not find Object's.
    const format = Object.hasOwn(TWILIO_FIELD_FORMATS, name) ? TWILIO_FIELD_FORMATS[name] : undefined;
    if (format && !format.test(value)) throw new WebhookError('WH_ERR_BAD_FIELD', name);
  }
}
