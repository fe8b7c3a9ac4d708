// Public surface of @tva/security.
export * from './security-errors';
export * from './call-token';
export * from './softphone-token';
export * from './twilio-signature';
export * from './internal-signature';
export * from './forwarded';
export * from './internal-messages';
