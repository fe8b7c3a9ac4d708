// Signs messages between our own processes (media worker → webhooks) so nothing else can forge them.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function internalSignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(`internal:${body}`).digest('base64url');
}

export function isValidInternalSignature(secret: string, body: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(internalSignature(secret, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
