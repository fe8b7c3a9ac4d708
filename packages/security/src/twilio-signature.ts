// X-Twilio-Signature computed and checked without the twilio package (usable in the media worker and the CLI).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** base64(HMAC-SHA1(authToken, url + each param name and value, sorted by name)) — Twilio's request-validation scheme. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string> = {}): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

function withAndWithoutPort(url: string): string[] {
  const u = new URL(url);
  const forms = new Set([url]);
  const defaultPort = u.protocol === 'https:' || u.protocol === 'wss:' ? '443' : '80';
  if (u.port) {
    const noPort = new URL(url);
    noPort.port = '';
    forms.add(noPort.toString());
  } else {
    forms.add(url.replace(`${u.protocol}//${u.host}`, `${u.protocol}//${u.hostname}:${defaultPort}`));
  }
  return [...forms];
}

/** True when `signature` matches any accepted form of the URL: as given, with/without port, and wss↔https. */
export function isValidTwilioSignature(authToken: string, signature: string | undefined, url: string, params: Record<string, string> = {}): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  const alt = url.startsWith('wss://') ? url.replace(/^wss:/, 'https:') : url.startsWith('https://') ? url.replace(/^https:/, 'wss:') : url;
  for (const candidate of [...withAndWithoutPort(url), ...withAndWithoutPort(alt)]) {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
  }
  return false;
}
