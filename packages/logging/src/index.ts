// Public surface of @tva/logging.
export * from './events';
export * from './create-logger';
export * from './run-service';
export * from './load-service-config';
export * from './log-tap';
export * from './metrics';
