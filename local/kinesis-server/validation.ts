/**
 * Request validation the way the Kinesis front end (AWS "Coral") does it, in two stages:
 *
 * 1. types — a member of the wrong JSON type fails the whole request at once with SerializationException;
 * 2. constraints — every member is checked against the model's constraints (required, length, range,
 *    pattern, enum) and all violations are reported together in one ValidationException:
 *    "2 validation errors detected: Value 'x!' at 'streamName' failed to satisfy constraint: Member must
 *    satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value null at 'shardId' failed to …".
 *
 * Members are named in messages as AWS does: lower camel case, nested as `records.3.member.data`.
 * Unknown members are ignored, as AWS does.
 */
import { serializationError, validationError } from './errors.js';

export type JsonObject = { [member: string]: unknown };

export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  /** A regular expression source that must match the whole value (AWS's pattern text, quoted as is). */
  pattern?: string;
  values?: readonly string[];
}

export interface IntegerRule {
  required?: boolean;
  min?: number;
  max?: number;
}

export const STREAM_NAME: StringRule = { min: 1, max: 128, pattern: '[a-zA-Z0-9_.-]+' };
export const STREAM_ARN: StringRule = {
  min: 1,
  max: 2048,
  pattern: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
};
export const SHARD_ID: StringRule = { min: 1, max: 128, pattern: '[a-zA-Z0-9_.-]+' };
export const SEQUENCE_NUMBER: StringRule = { pattern: '0|([1-9]\\d{0,128})' };
export const HASH_KEY: StringRule = { pattern: '0|([1-9]\\d{0,38})' };
export const PARTITION_KEY: StringRule = { required: true, min: 1, max: 256 };
export const SHARD_ITERATOR: StringRule = { required: true, min: 1, max: 512 };
export const NEXT_TOKEN: StringRule = { min: 1, max: 1_048_576 };

/** Largest Data blob of one record (1 MiB, decoded bytes). */
export const MAX_DATA_BYTES = 1_048_576;

const compiled = new Map<string, RegExp>();
function wholeMatch(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, regex);
  }
  return regex;
}

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** One violation, worded as AWS words it. `value` undefined renders as `null`. */
export function violation(value: string | undefined, path: string, constraint: string): string {
  const shown = value === undefined ? 'Value null' : `Value '${value}'`;
  return `${shown} at '${path}' failed to satisfy constraint: ${constraint}`;
}

/** A violation whose value AWS does not print (lists). */
export function unvaluedViolation(path: string, constraint: string): string {
  return `Value at '${path}' failed to satisfy constraint: ${constraint}`;
}

/** The ValidationException for a list of violations (AWS reports them all in one message). */
export function validationFailure(violations: readonly string[]) {
  const count = violations.length;
  return validationError(
    `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
  );
}

/** How Coral names a JSON value of the wrong type. */
function typeMismatch(value: unknown, expected: string) {
  if (Array.isArray(value)) return serializationError('Start of list found where not expected');
  switch (typeof value) {
    case 'object':
      return serializationError('Start of structure or map found where not expected.');
    case 'boolean':
      return serializationError(`class java.lang.Boolean can not be converted to an ${expected}`);
    case 'number':
      return serializationError(
        `class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an ${expected}`,
      );
    default:
      return serializationError(`class java.lang.String can not be converted to an ${expected}`);
  }
}

/** Checks a string against a rule, appending any violations to `out`. */
export function checkString(value: string | undefined, path: string, rule: StringRule, out: string[]): void {
  if (value === undefined) {
    if (rule.required) out.push(violation(undefined, path, 'Member must not be null'));
    return;
  }
  if (rule.min !== undefined && value.length < rule.min) {
    out.push(violation(value, path, `Member must have length greater than or equal to ${rule.min}`));
  }
  if (rule.max !== undefined && value.length > rule.max) {
    out.push(violation(value, path, `Member must have length less than or equal to ${rule.max}`));
  }
  if (rule.pattern !== undefined && !wholeMatch(rule.pattern).test(value)) {
    out.push(violation(value, path, `Member must satisfy regular expression pattern: ${rule.pattern}`));
  }
  if (rule.values !== undefined && !rule.values.includes(value)) {
    out.push(violation(value, path, `Member must satisfy enum value set: [${rule.values.join(', ')}]`));
  }
}

/**
 * Typed, validated access to the members of one request object. Type errors throw at once; constraint
 * violations are collected (shared with nested readers) until {@link InputReader.throwIfInvalid}.
 */
export class InputReader {
  constructor(
    private readonly input: JsonObject,
    private readonly path = '',
    readonly violations: string[] = [],
  ) {}

  /** Parses a request body: it must be a JSON object. */
  static fromBody(body: unknown): InputReader {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw serializationError('Request body must be a JSON object');
    }
    return new InputReader(body as JsonObject);
  }

  pathOf(member: string): string {
    return this.path ? `${this.path}.${lowerFirst(member)}` : lowerFirst(member);
  }

  /** The raw member, with JSON null read as absent (as AWS does). */
  raw(member: string): unknown {
    const value = this.input[member];
    return value === null ? undefined : value;
  }

  string(member: string, rule: StringRule = {}): string | undefined {
    const value = this.raw(member);
    if (value !== undefined && typeof value !== 'string') throw typeMismatch(value, 'String');
    checkString(value, this.pathOf(member), rule, this.violations);
    return value;
  }

  integer(member: string, rule: IntegerRule = {}): number | undefined {
    const raw = this.raw(member);
    if (raw !== undefined && typeof raw !== 'number') throw typeMismatch(raw, 'Integer');
    const path = this.pathOf(member);
    if (raw === undefined) {
      if (rule.required) this.violations.push(violation(undefined, path, 'Member must not be null'));
      return undefined;
    }
    // Coral truncates JSON numbers to the member's type.
    const value = Math.min(Math.trunc(raw), 2_147_483_647);
    if (rule.min !== undefined && value < rule.min) {
      this.violations.push(
        violation(String(value), path, `Member must have value greater than or equal to ${rule.min}`),
      );
    }
    if (rule.max !== undefined && value > rule.max) {
      this.violations.push(
        violation(String(value), path, `Member must have value less than or equal to ${rule.max}`),
      );
    }
    return value;
  }

  boolean(member: string): boolean | undefined {
    const value = this.raw(member);
    if (value !== undefined && typeof value !== 'boolean') throw typeMismatch(value, 'Boolean');
    return value;
  }

  /** A timestamp member: epoch seconds (fractions allowed), as the JSON 1.1 protocol sends them. */
  timestamp(member: string): number | undefined {
    const value = this.raw(member);
    if (value === undefined) return undefined;
    if (typeof value === 'string') {
      throw serializationError('class java.lang.String can not be converted to milliseconds since epoch');
    }
    if (typeof value !== 'number') throw typeMismatch(value, 'Timestamp');
    return value;
  }

  /** A nested structure, read with a reader that reports into the same violations. */
  structure(member: string, required = false): InputReader | undefined {
    const value = this.raw(member);
    const path = this.pathOf(member);
    if (value === undefined) {
      if (required) this.violations.push(violation(undefined, path, 'Member must not be null'));
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      if (Array.isArray(value)) throw serializationError('Start of list found where not expected');
      throw serializationError('Expected null');
    }
    return new InputReader(value as JsonObject, path, this.violations);
  }

  list(member: string): unknown[] | undefined {
    const value = this.raw(member);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      if (typeof value === 'object')
        throw serializationError('Start of structure or map found where not expected.');
      throw serializationError('Expected list or null');
    }
    return value;
  }

  map(member: string): JsonObject | undefined {
    const value = this.raw(member);
    if (value === undefined) return undefined;
    if (typeof value !== 'object') throw serializationError('Expected map or null');
    if (Array.isArray(value)) throw serializationError('Start of list found where not expected');
    return value as JsonObject;
  }

  throwIfInvalid(): void {
    if (this.violations.length > 0) throw validationFailure(this.violations);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) {
  BASE64_VALUE[c.charCodeAt(0)] = i;
}

/**
 * Byte length of a base64 blob as received, checking it is canonical base64 (what AWS's deserializer
 * accepts) without decoding it.
 * @throws SerializationException, worded as AWS does, for anything else
 */
export function base64ByteLength(value: string): number {
  const length = value.length;
  if (length % 4 !== 0) {
    throw serializationError(
      `'${value.slice(0, 64)}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${length}`,
    );
  }
  if (!BASE64.test(value)) {
    throw serializationError(
      `'${value.slice(0, 64)}' can not be converted to a Blob: Invalid Base64 character`,
    );
  }
  const padding =
    length === 0 ? 0 : value.charCodeAt(length - 1) !== 61 ? 0 : value.charCodeAt(length - 2) === 61 ? 2 : 1;
  if (padding > 0) {
    // The bits after the last encoded byte must be zero (no two encodings of the same bytes).
    const last = BASE64_VALUE[value.charCodeAt(length - padding - 1)] as number;
    if ((padding === 1 && (last & 0b11) !== 0) || (padding === 2 && (last & 0b1111) !== 0)) {
      throw serializationError(
        `'${value.slice(0, 64)}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected`,
      );
    }
  }
  return (length / 4) * 3 - padding;
}

/** How AWS shows a blob value in a validation message. */
export function blobValue(byteLength: number): string {
  return `java.nio.HeapByteBuffer[pos=0 lim=${byteLength} cap=${byteLength}]`;
}
