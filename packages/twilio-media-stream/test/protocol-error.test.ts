// Tests for the error catalogue and the ProtocolError class.
import t from 'tap';
import { PROTOCOL_ERRORS, ProtocolError, isProtocolError, type ProtocolErrorCode } from '../src/index';

const EXPECTED_CLOSE: Record<ProtocolErrorCode, number> = {
  TMS_ERR_INVALID_JSON: 1007,
  TMS_ERR_NOT_OBJECT: 1007,
  TMS_ERR_UNKNOWN_EVENT: 1007,
  TMS_ERR_MISSING_FIELD: 1007,
  TMS_ERR_BAD_FIELD: 1007,
  TMS_ERR_UNEXPECTED_EVENT: 1008,
  TMS_ERR_STREAM_SID_MISMATCH: 1008,
  TMS_ERR_BINARY_FRAME: 1003,
  TMS_ERR_FRAME_TOO_LARGE: 1009,
  TMS_ERR_START_TIMEOUT: 1008,
};

t.test('the catalogue holds exactly the ten documented codes with their close codes', async (t) => {
  t.same(Object.keys(PROTOCOL_ERRORS).sort(), Object.keys(EXPECTED_CLOSE).sort());
  for (const [code, entry] of Object.entries(PROTOCOL_ERRORS)) {
    t.equal(entry.closeCode, EXPECTED_CLOSE[code as ProtocolErrorCode], `${code} closes with ${entry.closeCode}`);
    t.ok(entry.message.length > 0, `${code} has a message`);
  }
});

t.test('a ProtocolError carries its code, close code and detail', async (t) => {
  const err = new ProtocolError('TMS_ERR_MISSING_FIELD', 'media.payload');
  t.ok(err instanceof Error);
  t.ok(isProtocolError(err));
  t.equal(err.name, 'ProtocolError');
  t.equal(err.code, 'TMS_ERR_MISSING_FIELD');
  t.equal(err.closeCode, 1007);
  t.equal(err.detail, 'media.payload');
  t.equal(err.message, 'Required field is missing: media.payload');
});

t.test('a ProtocolError without detail uses the catalogue message alone', async (t) => {
  const err = new ProtocolError('TMS_ERR_BINARY_FRAME');
  t.equal(err.message, PROTOCOL_ERRORS.TMS_ERR_BINARY_FRAME.message);
  t.equal(err.detail, undefined);
  t.notOk(isProtocolError(new Error('x')));
});
