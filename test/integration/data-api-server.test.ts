/**
 * The local Data API server against real PostgreSQL, driven through the official SDK client so
 * that wire details (paths, error names, Field unions) are checked the way the functions use them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchExecuteStatementCommand,
  type BatchExecuteStatementCommandInput,
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  type ExecuteStatementCommandOutput,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
} from '@aws-sdk/client-rds-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PipelineRoles,
  pipelineSecrets,
  preparePipelineDatabase,
  preparePipelineRoles,
} from '../../local/data-api/database-roles.js';
import { LOCAL_CLUSTER_ARN, LOCAL_SECRET_ARN, localArns } from '../../local/data-api/local-arns.js';
import { type DataApiServer, startDataApiServer } from '../../local/data-api/server.js';
import { freePort } from '../../local/free-port.js';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../local/postgres/index.js';

const DATABASE = 'data_api_test';
const TARGET = { resourceArn: LOCAL_CLUSTER_ARN, secretArn: LOCAL_SECRET_ARN, database: DATABASE };
const UUID = '6f1c2b8e-3d4a-4e5f-9a0b-1c2d3e4f5a6b';

let dataDir: string;
let postgres: EmbeddedPostgresHandle;
let roles: PipelineRoles;
let api: DataApiServer;
let client: RDSDataClient;

/** The server as the database service starts it: the owner's and the reader's secret. */
function serverOptions() {
  return {
    postgres: { host: postgres.host, port: postgres.port },
    resourceArn: LOCAL_CLUSTER_ARN,
    secrets: pipelineSecrets(localArns({}), roles),
  };
}

function sdkClient(endpoint: string): RDSDataClient {
  // One attempt: a retried 5xx would hide which status the server chose.
  return new RDSDataClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

function execute(
  sql: string,
  parameters: SqlParameter[] = [],
  extra: Partial<ExecuteStatementCommandInput> = {},
  on: RDSDataClient = client,
): Promise<ExecuteStatementCommandOutput> {
  return on.send(new ExecuteStatementCommand({ ...TARGET, sql, parameters, ...extra }));
}

async function begin(): Promise<string> {
  const { transactionId } = await client.send(new BeginTransactionCommand(TARGET));
  if (!transactionId) throw new Error('no transaction id');
  return transactionId;
}

function batch(input: Partial<BatchExecuteStatementCommandInput> & { sql: string }) {
  return client.send(new BatchExecuteStatementCommand({ ...TARGET, ...input }));
}

/** The error a call rejects with, for assertions on name, message and HTTP status. */
async function failure(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

async function count(table: string): Promise<number> {
  const { records } = await execute(`SELECT count(*) FROM ${table}`);
  return Number(records?.[0]?.[0]?.longValue);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'data-api-server-'));
  postgres = await startEmbeddedPostgres({ dataDir });
  roles = await preparePipelineRoles(postgres);
  await preparePipelineDatabase(postgres, DATABASE);
  api = await startDataApiServer(serverOptions());
  client = sdkClient(api.url);
});

afterAll(async () => {
  client?.destroy();
  await api?.close();
  await postgres?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('result mapping', () => {
  it('maps each PostgreSQL type to the Field member AWS uses, one member per Field', async () => {
    const { records } = await execute(`
      SELECT 1::int2, 2::int4, 9007199254740991::int8, 1.5::float4, 2.25::float8, 19.99::numeric(10,2),
             true, 'text'::text, 'var'::varchar(10), '${UUID}'::uuid, '{"a": 1}'::json, '{"b": [1, 2]}'::jsonb,
             '2024-02-29'::date, '13:14:15.5'::time, '2024-01-02 03:04:05.123456'::timestamp,
             '2024-01-02 03:04:05.5+02'::timestamptz, '\\x00ff10'::bytea, ARRAY[1, 2, NULL]::int4[],
             ARRAY['a', 'b "c"']::text[], ARRAY[true, false], NULL::text`);

    expect(records).toEqual([
      [
        { longValue: 1 },
        { longValue: 2 },
        { longValue: 9007199254740991 },
        { doubleValue: 1.5 },
        { doubleValue: 2.25 },
        { stringValue: '19.99' },
        { booleanValue: true },
        { stringValue: 'text' },
        { stringValue: 'var' },
        { stringValue: UUID },
        { stringValue: '{"a": 1}' },
        { stringValue: '{"b": [1, 2]}' },
        { stringValue: '2024-02-29' },
        { stringValue: '13:14:15.5' },
        { stringValue: '2024-01-02 03:04:05.123456' },
        { stringValue: '2024-01-02 01:04:05.5' },
        { blobValue: Uint8Array.from([0, 255, 16]) },
        { arrayValue: { longValues: [1, 2, null] } },
        { arrayValue: { stringValues: ['a', 'b "c"'] } },
        { arrayValue: { booleanValues: [true, false] } },
        { isNull: true },
      ],
    ]);
  });

  it('returns columnMetadata with pgjdbc type codes only when includeResultMetadata is true', async () => {
    await execute('CREATE TABLE meta_items (id serial PRIMARY KEY, price numeric(10,2) NOT NULL, note text)');
    await execute('INSERT INTO meta_items (price, note) VALUES (1.5, NULL)');
    const sql = 'SELECT id, price, note, 123 AS n, now() AS at FROM meta_items';

    const plain = await execute(sql);
    const described = await execute(sql, [], { includeResultMetadata: true });

    expect(plain.columnMetadata).toBeUndefined();
    expect(
      described.columnMetadata?.map(({ name, label, type, typeName, tableName, nullable }) => ({
        name,
        label,
        type,
        typeName,
        tableName,
        nullable,
      })),
    ).toEqual([
      { name: 'id', label: 'id', type: 4, typeName: 'serial', tableName: 'meta_items', nullable: 0 },
      { name: 'price', label: 'price', type: 2, typeName: 'numeric', tableName: 'meta_items', nullable: 0 },
      { name: 'note', label: 'note', type: 12, typeName: 'text', tableName: 'meta_items', nullable: 1 },
      { name: 'n', label: 'n', type: 4, typeName: 'int4', tableName: '', nullable: 0 },
      { name: 'at', label: 'at', type: 93, typeName: 'timestamptz', tableName: '', nullable: 0 },
    ]);
    expect(described.columnMetadata?.[0]).toMatchObject({
      isAutoIncrement: true,
      precision: 10,
      isSigned: true,
    });
    expect(described.columnMetadata?.[1]).toMatchObject({ precision: 10, scale: 2 });
  });

  it('reports rowCount and empty generatedFields for DML, and records only for RETURNING', async () => {
    await execute('CREATE TABLE dml_items (id int PRIMARY KEY, name text)');

    const inserted = await execute("INSERT INTO dml_items VALUES (1, 'a'), (2, 'b')");
    const returned = await execute("UPDATE dml_items SET name = 'c' RETURNING id");
    const selected = await execute('SELECT * FROM dml_items WHERE id = 99');

    expect(inserted).toMatchObject({ numberOfRecordsUpdated: 2, generatedFields: [] });
    expect(inserted.records).toBeUndefined();
    expect(returned).toMatchObject({ numberOfRecordsUpdated: 2, generatedFields: [] });
    expect(returned.records).toHaveLength(2);
    expect(selected).toMatchObject({ numberOfRecordsUpdated: 0, records: [] });
    expect(selected.generatedFields).toBeUndefined();
  });

  it('formats records as JSON keyed by column label when formatRecordsAs is JSON', async () => {
    const output = await execute(
      "SELECT 1 AS id, 'x' AS name, NULL::int AS missing, 2.5::numeric AS amount",
      [],
      {
        formatRecordsAs: 'JSON',
      },
    );

    expect(output.records).toBeUndefined();
    expect(JSON.parse(output.formattedRecords ?? '')).toEqual([
      { id: 1, name: 'x', missing: null, amount: '2.5' },
    ]);
  });

  it('honours resultSetOptions for longs and decimals', async () => {
    const { records } = await execute('SELECT 42::int8, 3.25::numeric(5,2), 7::numeric(5,0)', [], {
      resultSetOptions: { longReturnType: 'STRING', decimalReturnType: 'DOUBLE_OR_LONG' },
    });

    expect(records?.[0]).toEqual([{ stringValue: '42' }, { doubleValue: 3.25 }, { stringValue: '7' }]);
  });
});

describe('parameters', () => {
  it('types string parameters as varchar, so a uuid column needs a cast or a UUID typeHint', async () => {
    await execute('CREATE TABLE uuid_items (id uuid PRIMARY KEY)');
    await execute('INSERT INTO uuid_items VALUES (:id::uuid)', [
      { name: 'id', value: { stringValue: UUID } },
    ]);
    const id: SqlParameter = { name: 'id', value: { stringValue: UUID } };

    const uncast = await failure(execute('SELECT id FROM uuid_items WHERE id = :id', [id]));
    const cast = await execute('SELECT id FROM uuid_items WHERE id = :id::uuid', [id]);
    const hinted = await execute('SELECT id FROM uuid_items WHERE id = :id', [{ ...id, typeHint: 'UUID' }]);

    expect(uncast.name).toBe('DatabaseErrorException');
    expect(uncast.message).toMatch(/operator does not exist: uuid = character varying.*; SQLState: 42883$/s);
    expect(cast.records).toEqual([[{ stringValue: UUID }]]);
    expect(hinted.records).toEqual([[{ stringValue: UUID }]]);
  });

  it('binds long, double, boolean, blob and null values with their types', async () => {
    const { records } = await execute(
      'SELECT pg_typeof(:l)::text, :l + 1, pg_typeof(:d)::text, :d * 2, :b AND true, length(:blob), :n::int IS NULL',
      [
        { name: 'l', value: { longValue: 41 } },
        { name: 'd', value: { doubleValue: 1.25 } },
        { name: 'b', value: { booleanValue: true } },
        { name: 'blob', value: { blobValue: Uint8Array.from([1, 2, 3]) } },
        { name: 'n', value: { isNull: true } },
      ],
    );

    expect(records?.[0]).toEqual([
      { stringValue: 'bigint' },
      { longValue: 42 },
      { stringValue: 'double precision' },
      { doubleValue: 2.5 },
      { booleanValue: true },
      { longValue: 3 },
      { booleanValue: true },
    ]);
  });

  it('applies DECIMAL, DATE, TIME, TIMESTAMP and JSON type hints', async () => {
    const { records } = await execute(
      "SELECT pg_typeof(:dec)::text, :dec + 0.01, :day + 1, :t, :ts, (:doc)->>'k'",
      [
        { name: 'dec', value: { stringValue: '10.10' }, typeHint: 'DECIMAL' },
        { name: 'day', value: { stringValue: '2024-02-28' }, typeHint: 'DATE' },
        { name: 't', value: { stringValue: '23:59:58.250' }, typeHint: 'TIME' },
        { name: 'ts', value: { stringValue: '2024-01-02 03:04:05.678' }, typeHint: 'TIMESTAMP' },
        { name: 'doc', value: { stringValue: '{"k": "v"}' }, typeHint: 'JSON' },
      ],
    );

    expect(records?.[0]).toEqual([
      { stringValue: 'numeric' },
      { stringValue: '10.11' },
      { stringValue: '2024-02-29' },
      { stringValue: '23:59:58.25' },
      { stringValue: '2024-01-02 03:04:05.678' },
      { stringValue: 'v' },
    ]);
  });

  it('refuses a malformed hinted value before running SQL', async () => {
    const error = await failure(
      execute('SELECT :ts', [
        { name: 'ts', value: { stringValue: '2024-01-02T03:04:05Z' }, typeHint: 'TIMESTAMP' },
      ]),
    );

    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain('YYYY-MM-DD HH:MM:SS');
  });

  it('refuses array parameters like AWS does', async () => {
    const error = await failure(
      execute('SELECT :ids', [{ name: 'ids', value: { arrayValue: { longValues: [1] } } }]),
    );

    expect(error.name).toBe('BadRequestException');
    expect(error.message).toBe('Array parameters are not supported.');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses a statement that references a parameter nobody supplied', async () => {
    const error = await failure(execute('SELECT :a, :b', [{ name: 'a', value: { longValue: 1 } }]));

    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain(':b');
  });

  it('ignores supplied parameters the statement does not reference', async () => {
    const { records } = await execute('SELECT :a', [
      { name: 'a', value: { longValue: 1 } },
      { name: 'unused', value: { longValue: 2 } },
    ]);

    expect(records).toEqual([[{ longValue: 1 }]]);
  });

  it('leaves quotes, comments, casts and dollar-quoted bodies alone when finding parameters', async () => {
    const { records } = await execute(
      `SELECT ':a' AS quoted, E'\\':a' AS escaped, $$:a$$ AS dollar, $tag$ :a $$ $tag$ AS tagged,
              "c:a".x AS ident, :a::int4 AS cast /* :missing */ -- :missing
         FROM (SELECT 1 AS x) AS "c:a"`,
      [{ name: 'a', value: { longValue: 7 } }],
    );

    expect(records?.[0]).toEqual([
      { stringValue: ':a' },
      { stringValue: "':a" },
      { stringValue: ':a' },
      { stringValue: ' :a $$ ' },
      { longValue: 1 },
      { longValue: 7 },
    ]);
  });

  it('bulk-upserts many rows from one JSON parameter with jsonb_to_recordset', async () => {
    await execute('CREATE TABLE bulk_items (id uuid PRIMARY KEY, name text NOT NULL, qty int NOT NULL)');
    const rows = Array.from({ length: 200 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: `item ${i}`,
      qty: i,
    }));
    const upsert = `
      INSERT INTO bulk_items (id, name, qty)
      SELECT r.id, r.name, r.qty FROM jsonb_to_recordset(:rows::jsonb) AS r(id uuid, name text, qty int)
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, qty = EXCLUDED.qty
      RETURNING id::text`;

    const first = await execute(upsert, [{ name: 'rows', value: { stringValue: JSON.stringify(rows) } }]);
    const again = await execute(upsert, [
      {
        name: 'rows',
        value: { stringValue: JSON.stringify(rows.map((row) => ({ ...row, qty: row.qty + 1 }))) },
      },
    ]);
    const { records } = await execute('SELECT count(*), sum(qty) FROM bulk_items');

    expect(first.numberOfRecordsUpdated).toBe(200);
    expect(again.numberOfRecordsUpdated).toBe(200);
    expect(records).toEqual([[{ longValue: 200 }, { longValue: 20_100 }]]);
  });
});

describe('request validation and errors', () => {
  it('refuses an unknown resourceArn or secretArn with BadRequestException', async () => {
    const wrongCluster = await failure(
      execute('SELECT 1', [], { resourceArn: 'arn:aws:rds:us-east-1:000000000000:cluster:other' }),
    );
    const wrongSecret = await failure(
      execute('SELECT 1', [], { secretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:other' }),
    );

    expect(wrongCluster.name).toBe('BadRequestException');
    expect(wrongSecret.name).toBe('BadRequestException');
  });

  it('refuses the schema parameter, which AWS does not support', async () => {
    const error = await failure(execute('SELECT 1', [], { schema: 'public' }));

    expect(error.name).toBe('BadRequestException');
  });

  it('refuses SQL longer than 65,536 characters', async () => {
    const error = await failure(execute(`SELECT 1 ${' '.repeat(65_536)}`));

    expect(error.name).toBe('BadRequestException');
  });

  it('reports SQL errors as DatabaseErrorException with the SQLState', async () => {
    const error = await failure(execute('SELECT * FROM no_such_table'));

    expect(error.name).toBe('DatabaseErrorException');
    expect(error.message).toMatch(
      /^ERROR: relation "no_such_table" does not exist\n {2}Position: \d+; SQLState: 42P01$/,
    );
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses several statements in one call', async () => {
    const error = await failure(execute('SELECT 1; SELECT 2'));

    expect(error.name).toBe('DatabaseErrorException');
    expect(error.message).toContain('SQLState: 42601');
  });

  it('refuses a response over 1 MiB and a row over 64 KB', async () => {
    const tooLarge = await failure(execute("SELECT repeat('x', 1000) FROM generate_series(1, 1100)"));
    const wideRow = await failure(execute("SELECT repeat('x', 70000)"));
    const justUnder = await execute("SELECT repeat('x', 1000) FROM generate_series(1, 900)");

    expect(tooLarge.name).toBe('BadRequestException');
    expect(tooLarge.message).toContain('response size limit');
    expect(wideRow.name).toBe('BadRequestException');
    expect(wideRow.message).toContain('row size limit');
    expect(justUnder.records).toHaveLength(900);
  });

  it('does not carry session settings from one call to the next', async () => {
    await execute("SET TimeZone = 'America/New_York'");
    const { records } = await execute("SELECT current_setting('TimeZone')");

    expect(records).toEqual([[{ stringValue: 'UTC' }]]);
  });

  it('answers DatabaseNotFoundException for a database that does not exist', async () => {
    const error = await failure(execute('SELECT 1', [], { database: 'no_such_database' }));

    expect(error.name).toBe('DatabaseNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('answers 504 DatabaseUnavailableException when PostgreSQL cannot be reached', async () => {
    const unreachable = await startDataApiServer({
      postgres: { host: '127.0.0.1', port: await freePort() },
      resourceArn: LOCAL_CLUSTER_ARN,
      secrets: [{ secretArn: LOCAL_SECRET_ARN, user: 'pipeline_owner', password: 'x' }],
    });
    const offline = sdkClient(unreachable.url);
    try {
      const error = await failure(execute('SELECT 1', [], {}, offline));

      expect(error.name).toBe('DatabaseUnavailableException');
      expect(error.$metadata?.httpStatusCode).toBe(504);
    } finally {
      offline.destroy();
      await unreachable.close();
    }
  });

  it('answers unknown paths with 404 UnknownOperationException', async () => {
    const response = await fetch(`${api.url}/ExecuteSql`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toEqual({
      code: 'UnknownOperationException',
      message: 'Unknown operation: POST /ExecuteSql',
    });
  });
});

describe('transactions', () => {
  it('keeps writes invisible to other calls until commit', async () => {
    await execute('CREATE TABLE tx_commit (id int)');
    const transactionId = await begin();

    await execute('INSERT INTO tx_commit VALUES (1)', [], { transactionId });
    const before = await count('tx_commit');
    const commit = await client.send(new CommitTransactionCommand({ ...TARGET, transactionId }));

    expect(before).toBe(0);
    expect(commit.transactionStatus).toBe('Transaction Committed');
    expect(await count('tx_commit')).toBe(1);
  });

  it('discards writes on rollback', async () => {
    await execute('CREATE TABLE tx_rollback (id int)');
    const transactionId = await begin();

    await execute('INSERT INTO tx_rollback VALUES (1)', [], { transactionId });
    const rollback = await client.send(new RollbackTransactionCommand({ ...TARGET, transactionId }));

    expect(rollback.transactionStatus).toBe('Rollback Complete');
    expect(await count('tx_rollback')).toBe(0);
  });

  it('fails every statement after an error until the transaction is rolled back', async () => {
    await execute('CREATE TABLE tx_poisoned (id int PRIMARY KEY)');
    const transactionId = await begin();
    await execute('INSERT INTO tx_poisoned VALUES (1)', [], { transactionId });

    const duplicate = await failure(execute('INSERT INTO tx_poisoned VALUES (1)', [], { transactionId }));
    const afterwards = await failure(execute('SELECT 1', [], { transactionId }));
    const commit = await failure(client.send(new CommitTransactionCommand({ ...TARGET, transactionId })));

    expect(duplicate.message).toContain('SQLState: 23505');
    expect(afterwards.name).toBe('DatabaseErrorException');
    expect(afterwards.message).toContain('SQLState: 25P02');
    expect(commit.name).toBe('DatabaseErrorException');
    expect(await count('tx_poisoned')).toBe(0);
  });

  it('answers TransactionNotFoundException for an unknown or finished transaction', async () => {
    const transactionId = await begin();
    await client.send(new CommitTransactionCommand({ ...TARGET, transactionId }));

    const reused = await failure(execute('SELECT 1', [], { transactionId }));
    const unknown = await failure(
      client.send(new RollbackTransactionCommand({ ...TARGET, transactionId: 'not-a-transaction' })),
    );

    expect(reused.name).toBe('TransactionNotFoundException');
    expect(unknown.name).toBe('TransactionNotFoundException');
    expect(unknown.$metadata?.httpStatusCode).toBe(404);
  });

  it('rolls back a transaction left idle longer than the timeout', async () => {
    await execute('CREATE TABLE tx_idle (id int)');
    const shortLived = await startDataApiServer({
      ...serverOptions(),
      caps: { transactionIdleTimeoutMs: 150 },
    });
    const idleClient = sdkClient(shortLived.url);
    try {
      const { transactionId } = await idleClient.send(new BeginTransactionCommand(TARGET));
      await execute('INSERT INTO tx_idle VALUES (1)', [], { transactionId }, idleClient);
      await new Promise((resolve) => setTimeout(resolve, 500));

      const expired = await failure(execute('SELECT 1', [], { transactionId }, idleClient));

      expect(expired.name).toBe('TransactionNotFoundException');
      expect(await count('tx_idle')).toBe(0);
    } finally {
      idleClient.destroy();
      await shortLived.close();
    }
  });

  it('runs concurrent calls on one transaction one after another', async () => {
    await execute('CREATE TABLE tx_serial (n int)');
    const transactionId = await begin();

    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        execute('INSERT INTO tx_serial VALUES (:n::int)', [{ name: 'n', value: { longValue: n } }], {
          transactionId,
        }),
      ),
    );
    await client.send(new CommitTransactionCommand({ ...TARGET, transactionId }));

    expect(await count('tx_serial')).toBe(10);
  });
});

describe('BatchExecuteStatement', () => {
  it('runs the statement once per parameter set and returns one update result per set', async () => {
    await execute('CREATE TABLE batch_items (id int PRIMARY KEY, name text)');

    const output = await batch({
      sql: 'INSERT INTO batch_items VALUES (:id::int, :name)',
      parameterSets: [1, 2, 3].map((id) => [
        { name: 'id', value: { longValue: id } },
        { name: 'name', value: { stringValue: `n${id}` } },
      ]),
    });

    expect(output.updateResults).toEqual([
      { generatedFields: [] },
      { generatedFields: [] },
      { generatedFields: [] },
    ]);
    expect(await count('batch_items')).toBe(3);
  });

  it('applies no parameter set when one of them fails', async () => {
    await execute('CREATE TABLE batch_atomic (id int PRIMARY KEY)');

    const error = await failure(
      batch({
        sql: 'INSERT INTO batch_atomic VALUES (:id::int)',
        parameterSets: [1, 2, 1].map((id) => [{ name: 'id', value: { longValue: id } }]),
      }),
    );

    expect(error.name).toBe('DatabaseErrorException');
    expect(await count('batch_atomic')).toBe(0);
  });

  it('joins the caller transaction when given a transactionId', async () => {
    await execute('CREATE TABLE batch_tx (id int)');
    const transactionId = await begin();

    await batch({
      sql: 'INSERT INTO batch_tx VALUES (:id::int)',
      parameterSets: [[{ name: 'id', value: { longValue: 1 } }], [{ name: 'id', value: { longValue: 2 } }]],
      transactionId,
    });
    const before = await count('batch_tx');
    await client.send(new RollbackTransactionCommand({ ...TARGET, transactionId }));

    expect(before).toBe(0);
    expect(await count('batch_tx')).toBe(0);
  });

  it('refuses SQL that ends with a semicolon', async () => {
    const error = await failure(batch({ sql: 'SELECT 1;', parameterSets: [[]] }));

    expect(error.name).toBe('BadRequestException');
  });
});
