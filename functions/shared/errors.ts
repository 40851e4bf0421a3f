/**
 * Typed errors of the pipeline. Each name ends in `Error`; `httpStatusOf` maps them to HTTP in one place.
 */

/** A required setting or environment variable is missing or malformed. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Input that cannot be processed as a whole (e.g. a CSV whose header is not the expected schema). */
export class InputFormatError extends Error {
  override readonly name = 'InputFormatError';
}

/** A request parameter is invalid; the message is safe to show to the caller. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** The requested resource does not exist; the message is safe to show to the caller. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The database could not be reached, or the outcome of a call is unknown (lost answer, timeout, 5xx). */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

/**
 * PostgreSQL refused a statement. `sqlState` is the five-character SQLSTATE when the Data API reported
 * one (Aurora and the local server append `; SQLState: 22003` to the message).
 */
export class SqlStatementError extends Error {
  override readonly name = 'SqlStatementError';

  constructor(
    message: string,
    readonly sqlState: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /**
   * True when the statement failed because of the data it was given (SQLSTATE classes 22 data
   * exception, 23 integrity constraint violation, 54 program limit exceeded): retrying the same data
   * fails again, so the record at fault must be isolated instead.
   */
  get causedByData(): boolean {
    return this.sqlState !== undefined && DATA_ERROR_CLASSES.has(this.sqlState.slice(0, 2));
  }

  /** True for a conflict with a concurrent transaction (deadlock, serialization failure, lock timeout). */
  get transient(): boolean {
    return this.sqlState !== undefined && TRANSIENT_STATES.has(this.sqlState);
  }
}

const DATA_ERROR_CLASSES = new Set(['22', '23', '54']);
/** 40001 serialization failure, 40P01 deadlock detected, 55P03 lock not available (lock_timeout). */
const TRANSIENT_STATES = new Set(['40001', '40P01', '55P03']);

/**
 * A part of the embedded local runtime (an emulator, the database service, PostgreSQL) cannot run or
 * cannot come back. The message names the part and says what to do. `retryable` is false when starting
 * it again cannot help: its port is taken, its data directory is held by a live process.
 */
export class PartUnavailableError extends Error {
  override readonly name = 'PartUnavailableError';

  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A command line that cannot run as given: an unknown flag, a bad value, a flag of the other target, or
 * a target that is not there (no embedded runtime for the data dir, no outputs file, stack or output).
 * The message says what to write or do instead. Every command line exits 2 on it (scripts/cli/exit-codes.ts);
 * the producer's pacing rule throws it too, for an event that asks for a rate and a speed at once.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The message of a thrown value: an error's own, or the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `Name: message` of a thrown error (the value as text otherwise), for a log line that must say which. */
export function nameAndMessageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** HTTP status and public error code for an error thrown while serving a request. */
export function httpStatusOf(error: unknown): { statusCode: number; code: string } {
  if (error instanceof BadRequestError) return { statusCode: 400, code: 'BadRequest' };
  if (error instanceof NotFoundError) return { statusCode: 404, code: 'NotFound' };
  if (error instanceof DatabaseUnavailableError) return { statusCode: 503, code: 'ServiceUnavailable' };
  return { statusCode: 500, code: 'InternalError' };
}
