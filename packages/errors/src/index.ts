// Public surface of @tva/errors.
export * from './create-error-class';
