/**
 * Data API errors and their HTTP mapping, in one place.
 *
 * The SDK takes the exception name from the `x-amzn-errortype` header and retries every 5xx, so a
 * status here is a promise about retry semantics: 4xx for anything the request caused (a refused
 * caller included), 429 when a cap is reached (retried with back-off), 5xx only when PostgreSQL is
 * unreachable.
 */
import pg from 'pg';

/**
 * Exception names from the RDS Data API service model, plus the names AWS front ends use for
 * unknown routes, unsigned requests, unsupported media types and throttling.
 */
export type DataApiErrorCode =
  | 'BadRequestException'
  | 'DatabaseErrorException'
  | 'StatementTimeoutException'
  | 'UnsupportedResultException'
  | 'TransactionNotFoundException'
  | 'DatabaseNotFoundException'
  | 'UnknownOperationException'
  | 'ForbiddenException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnsupportedMediaTypeException'
  | 'ThrottlingException'
  | 'InternalServerErrorException'
  | 'ServiceUnavailableError'
  | 'DatabaseUnavailableException';

const STATUS_BY_CODE: Readonly<Record<DataApiErrorCode, number>> = {
  BadRequestException: 400,
  DatabaseErrorException: 400,
  StatementTimeoutException: 400,
  UnsupportedResultException: 400,
  TransactionNotFoundException: 404,
  DatabaseNotFoundException: 404,
  UnknownOperationException: 404,
  ForbiddenException: 403,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  UnsupportedMediaTypeException: 415,
  ThrottlingException: 429,
  InternalServerErrorException: 500,
  ServiceUnavailableError: 503,
  DatabaseUnavailableException: 504,
};

/** An error answered to the caller as `{ message, code }` with the model's HTTP status. */
export class DataApiError extends Error {
  override readonly name = 'DataApiError';
  readonly statusCode: number;

  constructor(
    readonly code: DataApiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.statusCode = STATUS_BY_CODE[code];
  }
}

/** Shorthand for the most common error: a request the API refuses before running SQL. */
export function badRequest(message: string): DataApiError {
  return new DataApiError('BadRequestException', message);
}

/** SQLSTATEs that mean "PostgreSQL is not there" rather than "your SQL is wrong". */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123]|53300)/;

/** Node/pg failures on the socket level, before or between statements. */
const CONNECTION_FAILURE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed/i;

/**
 * True when `error` means the connection to PostgreSQL is broken, so the client must be discarded.
 *
 * @param error - anything thrown by `pg`
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return UNAVAILABLE_SQLSTATE.test(error.code ?? '');
  const code = (error as { code?: unknown } | null)?.code;
  const text = `${typeof code === 'string' ? code : ''} ${error instanceof Error ? error.message : ''}`;
  return CONNECTION_FAILURE.test(text);
}

/**
 * Formats a PostgreSQL error the way Aurora's Data API (pgjdbc underneath) reports it:
 * `ERROR: <message>` plus Detail/Hint/Position lines, then `; SQLState: <code>`.
 *
 * @param error - a server error from `pg`
 */
export function formatDatabaseError(error: pg.DatabaseError): string {
  const lines = [`${error.severity ?? 'ERROR'}: ${error.message}`];
  if (error.detail) lines.push(`  Detail: ${error.detail}`);
  if (error.hint) lines.push(`  Hint: ${error.hint}`);
  if (error.position) lines.push(`  Position: ${error.position}`);
  return `${lines.join('\n')}; SQLState: ${error.code ?? 'XX000'}`;
}

/**
 * Maps anything thrown while serving a request to the error the caller sees.
 *
 * @param error - a `DataApiError` (passed through), a `pg` error or anything else
 * @returns an error whose message is safe to send (never a stack trace)
 */
export function toDataApiError(error: unknown): DataApiError {
  if (error instanceof DataApiError) return error;
  if (isConnectionFailure(error)) {
    return new DataApiError('DatabaseUnavailableException', 'The database is unavailable; try again later.', {
      cause: error,
    });
  }
  if (error instanceof pg.DatabaseError) {
    if (error.code === '3D000') {
      return new DataApiError('DatabaseNotFoundException', formatDatabaseError(error), { cause: error });
    }
    // statement_timeout (45 s, like Aurora's Data API) cancels with query_canceled.
    if (error.code === '57014') {
      return new DataApiError('StatementTimeoutException', formatDatabaseError(error), { cause: error });
    }
    return new DataApiError('DatabaseErrorException', formatDatabaseError(error), { cause: error });
  }
  return new DataApiError('InternalServerErrorException', 'Internal error in the local Data API server.', {
    cause: error,
  });
}
