// Field readers for untrusted JSON: each returns a typed value or throws a ProtocolError naming the field path.
import { ProtocolError } from './protocol-error';

export type JsonObject = Record<string, unknown>;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DIGITS = /^\d+$/;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function parseJsonObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('TMS_ERR_INVALID_JSON');
  }
  if (!isObject(value)) throw new ProtocolError('TMS_ERR_NOT_OBJECT', value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
  return value;
}

function present(obj: JsonObject, key: string, path: string): unknown {
  // Own properties only: a key inherited from Object.prototype ("constructor") is not a field.
  if (!Object.prototype.hasOwnProperty.call(obj, key) || obj[key] === undefined) {
    throw new ProtocolError('TMS_ERR_MISSING_FIELD', join(path, key));
  }
  return obj[key];
}

export function objectField(obj: JsonObject, key: string, path = ''): JsonObject {
  const value = present(obj, key, path);
  if (!isObject(value)) throw new ProtocolError('TMS_ERR_BAD_FIELD', `${join(path, key)} must be an object`);
  return value;
}

export function stringField(obj: JsonObject, key: string, path = ''): string {
  const value = present(obj, key, path);
  if (typeof value !== 'string') throw new ProtocolError('TMS_ERR_BAD_FIELD', `${join(path, key)} must be a string`);
  return value;
}

export function nonEmptyStringField(obj: JsonObject, key: string, path = ''): string {
  const value = stringField(obj, key, path);
  if (value === '') throw new ProtocolError('TMS_ERR_BAD_FIELD', `${join(path, key)} must not be empty`);
  return value;
}

/** A string of decimal digits, as Twilio sends sequenceNumber, chunk and timestamp. */
export function numericStringField(obj: JsonObject, key: string, path = ''): string {
  const value = stringField(obj, key, path);
  if (!DIGITS.test(value)) throw new ProtocolError('TMS_ERR_BAD_FIELD', `${join(path, key)} must be a string of digits`);
  return value;
}

export function numberField(obj: JsonObject, key: string, path = ''): number {
  const value = present(obj, key, path);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ProtocolError('TMS_ERR_BAD_FIELD', `${join(path, key)} must be a number`);
  }
  return value;
}

export function base64Field(obj: JsonObject, key: string, path = ''): string {
  const value = stringField(obj, key, path);
  if (value.length % 4 !== 0 || !BASE64.test(value)) {
    throw new ProtocolError('TMS_ERR_BAD_FIELD', `${join(path, key)} must be base64`);
  }
  return value;
}

export function stringArrayField(obj: JsonObject, key: string, path = ''): string[] {
  const value = present(obj, key, path);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ProtocolError('TMS_ERR_BAD_FIELD', `${join(path, key)} must be an array of strings`);
  }
  return [...(value as string[])];
}

/** An optional object of string values; absent means empty. */
export function optionalStringRecordField(obj: JsonObject, key: string, path = ''): Record<string, string> {
  if (!Object.prototype.hasOwnProperty.call(obj, key) || obj[key] === undefined) return {};
  const value = objectField(obj, key, path);
  const entries = Object.entries(value);
  for (const [name, v] of entries) {
    if (typeof v !== 'string') throw new ProtocolError('TMS_ERR_BAD_FIELD', `${join(join(path, key), name)} must be a string`);
  }
  // fromEntries defines own properties, so a parameter named "__proto__" stays a plain value.
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Strict shapes only: any key outside `allowed` is an error (Twilio's 31951 "extra field"). */
export function rejectExtraFields(obj: JsonObject, allowed: readonly string[], path = ''): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new ProtocolError('TMS_ERR_BAD_FIELD', `extra field ${join(path, key)}`);
  }
}
