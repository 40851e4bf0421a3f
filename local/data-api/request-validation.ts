/**
 * Validates request bodies at the edge, as strictly as the service model and AWS's documented
 * restrictions: what passes here must not be refused by Aurora's Data API for its shape.
 */
import { z } from 'zod';
import { badRequest, DataApiError } from './errors.js';
import { DATA_API_LIMITS as LIMITS } from './limits.js';
import { DEFAULT_RESULT_SET_OPTIONS } from './result-mapping.js';
import { type NamedParameter, type ParameterValue, type ResultSetOptions, TYPE_HINTS } from './wire-types.js';

/** The cluster and the secrets this server answers for. */
export interface ServedArns {
  readonly resourceArn: string;
  readonly secretArns: ReadonlySet<string>;
}

/** What every request names: the secret (which role runs it) and, if given, the database. */
interface Target {
  readonly secretArn: string;
  readonly database: string | undefined;
}

const arn = z.string().min(LIMITS.minArnLength).max(LIMITS.maxArnLength);
const databaseName = z.string().min(1).max(LIMITS.maxDatabaseNameLength);
const transactionId = z.string().min(1).max(LIMITS.maxTransactionIdLength);

const target = {
  resourceArn: arn,
  secretArn: arn,
  database: databaseName.optional(),
  schema: z.unknown().optional(),
};

const fieldSchema = z.strictObject({
  isNull: z.boolean().optional(),
  booleanValue: z.boolean().optional(),
  longValue: z.number().int().optional(),
  doubleValue: z.number().optional(),
  stringValue: z.string().optional(),
  blobValue: z.base64().optional(),
  arrayValue: z.unknown().optional(),
});

const sqlParameterSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a SQL identifier such as "id"'),
  value: fieldSchema,
  typeHint: z.enum(TYPE_HINTS).optional(),
});

const executeSchema = z.object({
  ...target,
  sql: z.string().max(LIMITS.maxSqlLength),
  parameters: z.array(sqlParameterSchema).optional(),
  transactionId: transactionId.optional(),
  includeResultMetadata: z.boolean().optional(),
  continueAfterTimeout: z.boolean().optional(),
  resultSetOptions: z
    .strictObject({
      decimalReturnType: z.enum(['STRING', 'DOUBLE_OR_LONG']).optional(),
      longReturnType: z.enum(['STRING', 'LONG']).optional(),
    })
    .optional(),
  formatRecordsAs: z.enum(['NONE', 'JSON']).optional(),
});

const batchExecuteSchema = z.object({
  ...target,
  sql: z.string().max(LIMITS.maxSqlLength),
  parameterSets: z.array(z.array(sqlParameterSchema)).optional(),
  transactionId: transactionId.optional(),
});

const beginSchema = z.object(target);

const endTransactionSchema = z.object({ resourceArn: arn, secretArn: arn, transactionId });

/** A validated `ExecuteStatement` request. */
export interface ExecuteRequest extends Target {
  readonly sql: string;
  readonly parameters: readonly NamedParameter[];
  readonly transactionId: string | undefined;
  readonly includeResultMetadata: boolean;
  readonly formatRecordsAs: 'NONE' | 'JSON';
  readonly resultSetOptions: ResultSetOptions;
}

/** A validated `BatchExecuteStatement` request. */
export interface BatchExecuteRequest extends Target {
  readonly sql: string;
  readonly parameterSets: readonly (readonly NamedParameter[])[];
  readonly transactionId: string | undefined;
}

/** A validated `CommitTransaction` / `RollbackTransaction` request. */
export interface EndTransactionRequest {
  readonly secretArn: string;
  readonly transactionId: string;
}

/**
 * Validates an `ExecuteStatement` body.
 *
 * @param body - parsed JSON
 * @param arns - the ARNs this server serves
 * @throws DataApiError `BadRequestException` with the first problem found
 */
export function parseExecuteRequest(body: unknown, arns: ServedArns): ExecuteRequest {
  const request = parse(executeSchema, body);
  checkTarget(request, arns);
  return {
    secretArn: request.secretArn,
    database: request.database,
    sql: request.sql,
    parameters: (request.parameters ?? []).map(toNamedParameter),
    transactionId: request.transactionId,
    includeResultMetadata: request.includeResultMetadata ?? false,
    formatRecordsAs: request.formatRecordsAs ?? 'NONE',
    resultSetOptions: { ...DEFAULT_RESULT_SET_OPTIONS, ...request.resultSetOptions },
  };
}

/**
 * Validates a `BatchExecuteStatement` body, including AWS's "no trailing semicolon" rule.
 *
 * @param body - parsed JSON
 * @param arns - the ARNs this server serves
 */
export function parseBatchExecuteRequest(body: unknown, arns: ServedArns): BatchExecuteRequest {
  const request = parse(batchExecuteSchema, body);
  checkTarget(request, arns);
  if (request.sql.trimEnd().endsWith(';')) {
    throw badRequest('BatchExecuteStatement SQL must not end with a semicolon (;).');
  }
  return {
    secretArn: request.secretArn,
    database: request.database,
    sql: request.sql,
    parameterSets: (request.parameterSets ?? []).map((set) => set.map(toNamedParameter)),
    transactionId: request.transactionId,
  };
}

/**
 * Validates a `BeginTransaction` body.
 *
 * @param body - parsed JSON
 * @param arns - the ARNs this server serves
 */
export function parseBeginTransactionRequest(body: unknown, arns: ServedArns): Target {
  const request = parse(beginSchema, body);
  checkTarget(request, arns);
  return { secretArn: request.secretArn, database: request.database };
}

/**
 * Validates a `CommitTransaction` or `RollbackTransaction` body.
 *
 * @param body - parsed JSON
 * @param arns - the ARNs this server serves
 */
export function parseEndTransactionRequest(body: unknown, arns: ServedArns): EndTransactionRequest {
  const request = parse(endTransactionSchema, body);
  checkTarget(request, arns);
  return { secretArn: request.secretArn, transactionId: request.transactionId };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : 'request body';
  throw badRequest(`Invalid request: ${path}: ${issue?.message ?? 'invalid value'}`);
}

function checkTarget(
  request: { resourceArn: string; secretArn: string; schema?: unknown },
  arns: ServedArns,
): void {
  if (request.resourceArn !== arns.resourceArn) {
    throw badRequest(`HttpEndpoint is not enabled for resource ${request.resourceArn}.`);
  }
  if (!arns.secretArns.has(request.secretArn)) {
    throw badRequest(`Secrets Manager can't find the specified secret ${request.secretArn}.`);
  }
  if (request.schema !== undefined) throw badRequest("The schema parameter isn't supported.");
}

type FieldInput = z.infer<typeof fieldSchema>;

/** Turns a `Field` union into a `ParameterValue`, refusing unions with zero or several members. */
function toNamedParameter(parameter: z.infer<typeof sqlParameterSchema>): NamedParameter {
  const { name, value, typeHint } = parameter;
  const members = (Object.keys(value) as (keyof FieldInput)[]).filter((key) => value[key] !== undefined);
  if (members.length !== 1) {
    throw badRequest(
      `Parameter "${name}" must set exactly one value member, got ${members.length ? members.join(', ') : 'none'}.`,
    );
  }
  if (value.arrayValue !== undefined) throw badRequest('Array parameters are not supported.');
  if (typeHint !== undefined && value.stringValue === undefined) {
    throw badRequest(`Parameter "${name}": typeHint ${typeHint} applies to stringValue only.`);
  }
  return { name, value: toParameterValue(name, value, typeHint) };
}

function toParameterValue(
  name: string,
  value: FieldInput,
  typeHint: (typeof TYPE_HINTS)[number] | undefined,
) {
  let result: ParameterValue | undefined;
  if (value.isNull === true) result = { kind: 'null' };
  else if (value.stringValue !== undefined) result = { kind: 'string', value: value.stringValue, typeHint };
  else if (value.longValue !== undefined) result = { kind: 'long', value: value.longValue };
  else if (value.doubleValue !== undefined) result = { kind: 'double', value: value.doubleValue };
  else if (value.booleanValue !== undefined) result = { kind: 'boolean', value: value.booleanValue };
  else if (value.blobValue !== undefined)
    result = { kind: 'blob', value: Buffer.from(value.blobValue, 'base64') };
  if (!result)
    throw new DataApiError('BadRequestException', `Parameter "${name}": isNull must be true when set.`);
  return result;
}
