// The webhooks' error catalogue: every rejection has one of these codes in its body and its log line.

export const WEBHOOK_ERRORS = {
  WH_ERR_SIGNATURE_MISSING: { status: 403, message: 'X-Twilio-Signature header missing (TWILIO_AUTH_TOKEN is set, so every webhook must be signed)' },
  WH_ERR_SIGNATURE_INVALID: { status: 403, message: 'X-Twilio-Signature does not match: wrong TWILIO_AUTH_TOKEN, or PUBLIC_BASE_URL differs from the URL Twilio called' },
  WH_ERR_MISSING_CALL_SID: { status: 400, message: 'CallSid missing from the form body' },
  WH_ERR_INTERNAL_SIGNATURE: { status: 403, message: 'internal message not signed with CALL_TOKEN_SECRET' },
  WH_ERR_RATE_LIMITED: { status: 429, message: 'too many webhook requests from this address (WEBHOOK_RATE_LIMIT per minute)' },
  WH_ERR_BAD_OUTCOME: { status: 400, message: 'stream outcome is not {callSid, endedBy, …} JSON' },
} as const;

export type WebhookErrorCode = keyof typeof WEBHOOK_ERRORS;

export class WebhookError extends Error {
  readonly code: WebhookErrorCode;
  readonly statusCode: number;
  constructor(code: WebhookErrorCode) {
    super(WEBHOOK_ERRORS[code].message);
    this.name = 'WebhookError';
    this.code = code;
    this.statusCode = WEBHOOK_ERRORS[code].status;
  }
}
