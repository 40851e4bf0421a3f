import { describe, expect, it } from 'vitest';
import { DataApiError } from '../../../../local/data-api/errors.js';
import {
  LOCAL_CLUSTER_ARN,
  LOCAL_READER_SECRET_ARN,
  LOCAL_SECRET_ARN,
} from '../../../../local/data-api/local-arns.js';
import {
  parseBatchExecuteRequest,
  parseEndTransactionRequest,
  parseExecuteRequest,
} from '../../../../local/data-api/request-validation.js';

const SERVED = {
  resourceArn: LOCAL_CLUSTER_ARN,
  secretArns: new Set([LOCAL_SECRET_ARN, LOCAL_READER_SECRET_ARN]),
};
const TARGET = { resourceArn: LOCAL_CLUSTER_ARN, secretArn: LOCAL_SECRET_ARN };

function executeBody(extra: Record<string, unknown> = {}) {
  return { ...TARGET, sql: 'SELECT 1', ...extra };
}

function refusal(action: () => unknown): DataApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof DataApiError) return error;
    throw error;
  }
  throw new Error('expected a DataApiError');
}

describe('parseExecuteRequest', () => {
  it('fills defaults for optional members', () => {
    const request = parseExecuteRequest(executeBody(), SERVED);

    expect(request).toMatchObject({
      parameters: [],
      includeResultMetadata: false,
      formatRecordsAs: 'NONE',
      resultSetOptions: { decimalReturnType: 'STRING', longReturnType: 'LONG' },
    });
  });

  it('names the secret of the request, so that its role runs the statement', () => {
    const owner = parseExecuteRequest(executeBody(), SERVED);
    const reader = parseExecuteRequest(executeBody({ secretArn: LOCAL_READER_SECRET_ARN }), SERVED);

    expect(owner.secretArn).toBe(LOCAL_SECRET_ARN);
    expect(reader.secretArn).toBe(LOCAL_READER_SECRET_ARN);
  });

  it('turns each Field into a typed parameter value', () => {
    const request = parseExecuteRequest(
      executeBody({
        parameters: [
          { name: 'id', value: { stringValue: 'x' }, typeHint: 'UUID' },
          { name: 'blob', value: { blobValue: 'AQI=' } },
          { name: 'n', value: { isNull: true } },
        ],
      }),
      SERVED,
    );

    expect(request.parameters).toEqual([
      { name: 'id', value: { kind: 'string', value: 'x', typeHint: 'UUID' } },
      { name: 'blob', value: { kind: 'blob', value: Buffer.from([1, 2]) } },
      { name: 'n', value: { kind: 'null' } },
    ]);
  });

  it.each([
    ['a Field with two members', { parameters: [{ name: 'a', value: { isNull: false, stringValue: 'x' } }] }],
    ['a Field with no member', { parameters: [{ name: 'a', value: {} }] }],
    ['an array parameter', { parameters: [{ name: 'a', value: { arrayValue: { longValues: [1] } } }] }],
    [
      'a typeHint on a non-string value',
      { parameters: [{ name: 'a', value: { longValue: 1 }, typeHint: 'UUID' }] },
    ],
    [
      'an unknown typeHint',
      { parameters: [{ name: 'a', value: { stringValue: 'x' }, typeHint: 'INTERVAL' }] },
    ],
    ['the schema parameter', { schema: 'public' }],
    ['an unknown resourceArn', { resourceArn: 'arn:aws:rds:us-east-1:1:cluster:other' }],
    ['an unknown secretArn', { secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:other' }],
    ['SQL over 65,536 characters', { sql: 'x'.repeat(65_537) }],
    ['a missing sql', { sql: undefined }],
  ])('refuses %s with BadRequestException', (_, extra) => {
    expect(refusal(() => parseExecuteRequest(executeBody(extra), SERVED)).code).toBe('BadRequestException');
  });

  it('says that array parameters are not supported', () => {
    const body = executeBody({ parameters: [{ name: 'a', value: { arrayValue: { stringValues: ['x'] } } }] });

    expect(refusal(() => parseExecuteRequest(body, SERVED)).message).toBe(
      'Array parameters are not supported.',
    );
  });
});

describe('parseBatchExecuteRequest and parseEndTransactionRequest', () => {
  it('refuses batch SQL that ends with a semicolon', () => {
    const body = { ...TARGET, sql: 'INSERT INTO t VALUES (1);  ', parameterSets: [[]] };

    expect(refusal(() => parseBatchExecuteRequest(body, SERVED)).message).toContain('semicolon');
  });

  it('treats a missing parameterSets as no execution', () => {
    expect(parseBatchExecuteRequest({ ...TARGET, sql: 'SELECT 1' }, SERVED).parameterSets).toEqual([]);
  });

  it('requires a transactionId to end a transaction', () => {
    expect(refusal(() => parseEndTransactionRequest(TARGET, SERVED)).code).toBe('BadRequestException');
  });
});
