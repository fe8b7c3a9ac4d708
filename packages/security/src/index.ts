// Public surface of @tva/security.
export * from './call-token';
