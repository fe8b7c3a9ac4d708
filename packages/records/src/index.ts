// Public surface of @tva/records: the records types, the store (SQLite or Postgres), and its error catalogue.
export * from './records-types';
export * from './records-errors';
export { openRecordsStore, recordsDriverFor, retentionCutoff } from './open-records-store';
export { maskNumber } from './records-policy';
export { redactDatabaseUrl } from './postgres-driver';
