// createErrorClass: one shape for every package's errors — code, message from the catalogue, detail, status, close code.
import t from 'tap';
import { createErrorClass, isCodedError } from '../src/index';

const CATALOGUE = {
  X_ERR_BAD: { message: 'Something was bad', status: 400 },
  X_ERR_CLOSED: { message: 'Closed on purpose', closeCode: 1008 },
} as const;

class XError extends createErrorClass('XError', CATALOGUE) {}

t.test('an error carries its code, the catalogue message with the detail, and what to answer with', async (t) => {
  const err = new XError('X_ERR_BAD', 'field From');
  t.ok(err instanceof XError);
  t.ok(err instanceof Error);
  t.equal(err.name, 'XError');
  t.equal(err.code, 'X_ERR_BAD');
  t.equal(err.message, 'Something was bad: field From');
  t.equal(err.detail, 'field From');
  t.equal(err.status, 400);
  t.equal(err.closeCode, undefined);
  t.equal(new XError('X_ERR_CLOSED').message, 'Closed on purpose');
  t.equal(new XError('X_ERR_CLOSED').closeCode, 1008);
  t.equal(XError.catalogue, CATALOGUE, 'the catalogue stays reachable for docs and tests');
});

t.test('a cause is kept, and isCodedError recognises coded errors only', async (t) => {
  const cause = new Error('socket hang up');
  const err = new XError('X_ERR_BAD', undefined, { cause });
  t.equal(err.cause, cause);
  t.ok(isCodedError(err));
  t.notOk(isCodedError(new Error('plain')));
  t.notOk(isCodedError({ code: 'X_ERR_BAD' }), 'not an Error');
});
