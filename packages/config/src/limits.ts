// Size limits that more than one process enforces: the router refuses above them at the edge, the target again.

/** Largest webhook request body, bytes: Twilio's forms are a few KiB. The router answers 413 above it without forwarding. */
export const WEBHOOK_BODY_LIMIT_BYTES = 64 * 1024;
