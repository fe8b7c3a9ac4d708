// Checks X-Twilio-Signature on form webhooks with the twilio library's validator, against the public URL.
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { WebhookError } from './webhook-errors';

/** Throws WebhookError when the signature is missing or wrong; `url` is the public URL Twilio called. */
export function assertTwilioSignature(authToken: string, signature: string | string[] | undefined, url: string, params: Record<string, string>): void {
  const sig = Array.isArray(signature) ? signature[0] : signature;
  if (!sig) throw new WebhookError('WH_ERR_SIGNATURE_MISSING');
  if (!validateRequest(authToken, sig, url, params)) throw new WebhookError('WH_ERR_SIGNATURE_INVALID');
}
