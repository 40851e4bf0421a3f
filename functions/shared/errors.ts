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

/** The database could not be reached or answered with an error. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

/** HTTP status and public error code for an error thrown while serving a request. */
export function httpStatusOf(error: unknown): { statusCode: number; code: string } {
  if (error instanceof BadRequestError) return { statusCode: 400, code: 'BadRequest' };
  if (error instanceof NotFoundError) return { statusCode: 404, code: 'NotFound' };
  if (error instanceof DatabaseUnavailableError) return { statusCode: 503, code: 'ServiceUnavailable' };
  return { statusCode: 500, code: 'InternalError' };
}
