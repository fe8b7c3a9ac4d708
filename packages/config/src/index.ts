// Public surface of @tva/config.
export * from './config-vars';
export * from './config-error';
export * from './load-config';
export * from './timings';
export * from './limits';
