/**
 * Query-string validation at the edge: one zod schema per route, error messages that name the parameter.
 *
 * Only the parameters a route knows are read; unknown names are ignored (API Gateway and proxies add
 * their own), but a known parameter given twice, empty, or out of range is a `BadRequestError`.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { BadRequestError } from '../shared/errors.js';
import { settings } from '../shared/settings.js';
import { SUSPICION_REASONS } from '../shared/vocabulary.js';
import { GROUP_SORTS, SORT_ORDERS } from './read-model.js';

const { defaultPageSize, maxPageSize } = settings.api;

/** Default and maximum number of windows one timeline response holds. */
export const TIMELINE_PAGE_SIZE = maxPageSize;

/** Largest offset accepted, so that it stays an exact integer on the wire. */
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

const integerMessage = (name: string, min: number, max: number) =>
  max === MAX_OFFSET
    ? `${name} must be an integer >= ${min}`
    : `${name} must be an integer from ${min} to ${max}`;

/** The value of an integer parameter within `[min, max]`, `fallback` when absent. */
const integerValue = (name: string, min: number, max: number, fallback: number) =>
  z
    .int(integerMessage(name, min, max))
    .min(min, integerMessage(name, min, max))
    .max(max, integerMessage(name, min, max))
    .default(fallback);

const enumValue = <const T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z.enum(values, { error: `${name} must be one of ${values.join(', ')}` });

const instantValue = (example: string) => z.string().meta({ format: 'date-time', example });

/**
 * Every query parameter once: the schema of its value (documented in the OpenAPI document as is) and
 * its description. The parsers below read the query string's text into these values.
 */
export const QUERY_PARAMETERS = {
  limit: { value: integerValue('limit', 1, maxPageSize, defaultPageSize), description: 'Page size' },
  offset: { value: integerValue('offset', 0, MAX_OFFSET, 0), description: 'Items to skip' },
  sort: {
    value: enumValue('sort', GROUP_SORTS).default('commits'),
    description:
      'Sort key: `commits`, `churn` (lines added + deleted), `avgEntropy` or `suspicious` (suspicious commits). Ties are broken by key ascending (byte order).',
  },
  order: { value: enumValue('order', SORT_ORDERS).default('desc'), description: 'Sort direction' },
  from: {
    value: instantValue('2024-01-01T00:00:00Z'),
    description:
      'Inclusive lower bound on `windowStart`: ISO 8601 date-time with `Z` or an offset, or a date (midnight UTC)',
  },
  to: {
    value: instantValue('2024-01-02T00:00:00Z'),
    description: 'Exclusive upper bound on `windowStart`; same format as `from`, and not before it',
  },
  timelineLimit: {
    value: integerValue('limit', 1, TIMELINE_PAGE_SIZE, TIMELINE_PAGE_SIZE),
    description: `Windows per response (at most ${TIMELINE_PAGE_SIZE}); follow \`nextFrom\` for more`,
  },
  author: {
    value: z
      .string()
      .min(1, 'author must not be empty')
      .refine((value) => !value.includes('\0'), 'author must not contain NUL characters'),
    description: 'Only commits of this author (exact match)',
  },
  reason: {
    value: enumValue('reason', SUSPICION_REASONS),
    description: 'Only commits flagged for this reason. Without it, a commit flagged for both appears twice.',
  },
} as const;

export type QueryParameterName = keyof typeof QUERY_PARAMETERS;

/** An integer parameter: digits only, then the value's own bounds. */
function integerParam(name: string, value: z.ZodDefault<z.ZodInt>) {
  const { minValue, maxValue } = value.unwrap();
  const [minimum, maximum] = [minValue ?? 0, maxValue ?? MAX_OFFSET];
  return z
    .string()
    .regex(/^\d{1,16}$/, integerMessage(name, minimum, maximum))
    .transform(Number)
    .pipe(value.unwrap())
    .default(value.def.defaultValue);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** True when the calendar date at the start of `value` exists (zod's regex accepts 2024-02-30). */
function isRealDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * An optional instant: ISO 8601 date-time with `Z` or a `±hh:mm` offset, or a date (midnight UTC).
 * A `+` decoded to a space by a form-style encoder (`…T10:00:00 02:00`) is read back as `+`.
 * The value is normalised to `YYYY-MM-DDTHH:mm:ss.sssZ`.
 */
function instantParam(name: string) {
  const message = `${name} must be an ISO 8601 date-time with a time zone offset (e.g. 2024-01-01T00:00:00Z) or a date (e.g. 2024-01-01)`;
  return (
    z
      .string()
      .transform((value) => value.replace(/ (\d{2}:\d{2})$/, '+$1'))
      .pipe(z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: message }))
      .refine(isRealDate, message)
      .transform((value) => new Date(value).toISOString())
      // An offset can push 0001-01-01 or 9999-12-31 out of the 4-digit years PostgreSQL reads.
      .refine((iso) => /^\d{4}-/.test(iso) && iso >= '0001-01-01', `${name} must be between years 1 and 9999`)
      .optional()
  );
}

const P = QUERY_PARAMETERS;

export const groupListParams = z.object({
  limit: integerParam('limit', P.limit.value),
  offset: integerParam('offset', P.offset.value),
  sort: P.sort.value,
  order: P.order.value,
});

export const timelineParams = z
  .object({
    from: instantParam('from'),
    to: instantParam('to'),
    limit: integerParam('limit', P.timelineLimit.value),
  })
  .refine(({ from, to }) => from === undefined || to === undefined || from <= to, {
    message: 'from must not be after to',
    path: ['from'],
  });

export const suspiciousParams = z.object({
  limit: integerParam('limit', P.limit.value),
  author: P.author.value.optional(),
  reason: P.reason.value.optional(),
});

/** The query string of a REST proxy event, as single and multi-valued maps (either may be null). */
export type QueryInput = Pick<
  APIGatewayProxyEvent,
  'queryStringParameters' | 'multiValueQueryStringParameters'
>;

/**
 * Validates the query string against a route's schema; parameters the schema does not name are ignored.
 *
 * @param schema - one of the object schemas of this module
 * @param query - the event's query-string maps
 * @returns the parsed, defaulted parameters
 * @throws BadRequestError naming the offending parameter(s)
 */
function parseWith<S extends z.ZodObject>(schema: S, query: QueryInput): z.output<S> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const values =
      query.multiValueQueryStringParameters?.[name] ??
      (query.queryStringParameters?.[name] !== undefined ? [query.queryStringParameters[name]] : []);
    if (values.length > 1) throw new BadRequestError(`${name} must be given at most once`);
    const [value] = values;
    if (value !== undefined) input[name] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new BadRequestError(result.error.issues.map((issue) => issue.message).join('; '));
  }
  return result.data;
}

export type GroupListParams = z.output<typeof groupListParams>;
export type TimelineParams = z.output<typeof timelineParams>;
export type SuspiciousParams = z.output<typeof suspiciousParams>;

/** Paging and sorting of `/stats/authors`, `/stats/modules` and `/stats/languages`. */
export const parseGroupListParams = (query: QueryInput): GroupListParams => parseWith(groupListParams, query);

/** Range and page size of `/stats/timeline`. */
export const parseTimelineParams = (query: QueryInput): TimelineParams => parseWith(timelineParams, query);

/** Filters and page size of `/commits/suspicious`. */
export const parseSuspiciousParams = (query: QueryInput): SuspiciousParams =>
  parseWith(suspiciousParams, query);
