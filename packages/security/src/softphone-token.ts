// The softphone's one-time stream token: webhooks issues it to a console session, the media worker checks it at `start`.
import { randomBytes } from 'node:crypto';
import { createCallToken, verifyCallToken, type CallTokenProblem } from './call-token';

/** Where the browser's softphone opens its stream (the router sends /ws/* to the media worker); no Twilio signature here. */
export const SOFTPHONE_STREAM_PATH = '/ws/softphone';

/** A softphone token is good for this long after it is issued: the page asks for one right before it dials. */
export const SOFTPHONE_TOKEN_MAX_AGE_MS = 60_000;

/**
 * why: the token is a call token over "softphone:<CallSid>", so one signed for a Twilio call (which covers the bare
 * CallSid) can never open a browser stream, nor the reverse — the same canonical form and the same CALL_TOKEN_* codes.
 */
const scope = (callSid: string): string => `softphone:${callSid}`;

/** A fresh CallSid for a browser call, in Twilio's format (CA + 32 hex) so it fits every place a CallSid goes. */
export function newBrowserCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

export function createSoftphoneToken(secret: string, callSid: string, nowMs: number = Date.now()): string {
  return createCallToken(secret, scope(callSid), nowMs);
}

/** null when `token` was issued for this browser call within SOFTPHONE_TOKEN_MAX_AGE_MS; else what is wrong. */
export function verifySoftphoneToken(secret: string, callSid: string, token: string | undefined, nowMs: number = Date.now()): CallTokenProblem | null {
  return verifyCallToken(secret, scope(callSid), token, { nowMs, maxAgeMs: SOFTPHONE_TOKEN_MAX_AGE_MS });
}
