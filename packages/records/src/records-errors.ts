// The records store's error catalogue: opening, migrating and querying the call records.
import { createErrorClass } from '@tva/errors';

export const RECORDS_ERRORS = {
  RECORDS_ERR_OPEN: { message: 'the records database cannot be opened (the SQLite file under DATA_DIR, or the Postgres server at DATABASE_URL)' },
  RECORDS_ERR_MIGRATE: { message: 'a records migration failed, or the database was written by a newer version' },
  RECORDS_ERR_BAD_QUERY: { status: 400, message: 'a records query is malformed (bad cursor, date range, or bucket size)' },
  RECORDS_ERR_WRITE: { message: 'a call record could not be written (a malformed notice: call SID, mode, kind or ending)' },
} as const;

export type RecordsErrorCode = keyof typeof RECORDS_ERRORS;

export class RecordsError extends createErrorClass('RecordsError', RECORDS_ERRORS) {}
