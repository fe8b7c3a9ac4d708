// @tva/security's error catalogue: why a per-call token is refused, and why a forwarded origin is unusable.

/** Per-call token refusals; the media worker closes the stream with 1008 (policy violation) and logs the code. */
export const CALL_TOKEN_ERRORS = {
  CALL_TOKEN_MISSING: { closeCode: 1008, message: 'start carries no call_token parameter' },
  CALL_TOKEN_MALFORMED: { closeCode: 1008, message: 'call_token is not <seconds>.<43 base64url characters> in its one canonical spelling' },
  CALL_TOKEN_BAD_SIGNATURE: { closeCode: 1008, message: 'call_token was not signed with CALL_TOKEN_SECRET for this CallSid' },
  CALL_TOKEN_EXPIRED: { closeCode: 1008, message: 'call_token is older than 5 minutes, or dated more than a minute ahead' },
  CALL_TOKEN_REPLAYED: { closeCode: 1008, message: 'call_token has already opened a stream (each token opens one, across restarts)' },
  CALL_TOKEN_WRONG_CALL: { closeCode: 1008, message: 'the call_sid parameter names another call than start.callSid' },
} as const;

export type CallTokenCode = keyof typeof CALL_TOKEN_ERRORS;

/** A Host / X-Forwarded-Host / X-Forwarded-Proto that cannot be part of a URL; receivers answer 400 with their own code. */
export const FORWARDED_ERRORS = {
  FORWARDED_BAD_HOST: { message: 'Host / X-Forwarded-Host is not a hostname or IP address with an optional port' },
  FORWARDED_BAD_PROTO: { message: 'X-Forwarded-Proto is neither http nor https' },
} as const;

export const SECURITY_ERRORS = { ...CALL_TOKEN_ERRORS, ...FORWARDED_ERRORS } as const;

export type SecurityErrorCode = keyof typeof SECURITY_ERRORS;
