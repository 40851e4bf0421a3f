/**
 * Who the local Data API server serves and as whom it runs their SQL, against real PostgreSQL:
 * browsers and unsigned callers are refused, each secret logs in as its own non-superuser role,
 * the reader's role cannot write, and a caller cannot hold more transactions than the caps allow.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BeginTransactionCommand,
  ExecuteStatementCommand,
  type ExecuteStatementCommandOutput,
  RDSDataClient,
  RollbackTransactionCommand,
} from '@aws-sdk/client-rds-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRolePassword } from '../../functions/migrator/reader-password.js';
import { DataApiDatabase } from '../../functions/shared/database/data-api.js';
import { applyMigrations, loadMigrations } from '../../functions/shared/database/migrations.js';
import {
  PIPELINE_OWNER_ROLE,
  PIPELINE_READER_ROLE,
  type PipelineRoles,
  pipelineSecrets,
  preparePipelineDatabase,
  preparePipelineRoles,
} from '../../local/data-api/database-roles.js';
import type { DataApiCaps } from '../../local/data-api/limits.js';
import {
  LOCAL_CLUSTER_ARN,
  LOCAL_READER_SECRET_ARN,
  LOCAL_SECRET_ARN,
} from '../../local/data-api/local-arns.js';
import { type DataApiServer, type SecretIdentity, startDataApiServer } from '../../local/data-api/server.js';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../local/postgres/index.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../db/migrations', import.meta.url));
const DATABASE = 'access_test';
const ARNS = {
  resourceArn: LOCAL_CLUSTER_ARN,
  secretArn: LOCAL_SECRET_ARN,
  readerSecretArn: LOCAL_READER_SECRET_ARN,
};
const OWNER = { resourceArn: LOCAL_CLUSTER_ARN, secretArn: LOCAL_SECRET_ARN, database: DATABASE };
const READER = { ...OWNER, secretArn: LOCAL_READER_SECRET_ARN };
type Target = typeof OWNER;

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

const dataDirs: string[] = [];
const servers: DataApiServer[] = [];
const clients: RDSDataClient[] = [];
let postgres: EmbeddedPostgresHandle;
let roles: PipelineRoles;
let api: DataApiServer;
let client: RDSDataClient;

async function startCluster(): Promise<EmbeddedPostgresHandle> {
  const dataDir = await mkdtemp(join(tmpdir(), 'data-api-access-'));
  dataDirs.push(dataDir);
  return startEmbeddedPostgres({ dataDir });
}

async function startServer(
  secrets: readonly SecretIdentity[],
  caps?: Partial<DataApiCaps>,
  on: EmbeddedPostgresHandle = postgres,
): Promise<DataApiServer> {
  const server = await startDataApiServer({
    postgres: { host: on.host, port: on.port },
    resourceArn: LOCAL_CLUSTER_ARN,
    secrets,
    caps,
  });
  servers.push(server);
  return server;
}

function sdkClient(server: DataApiServer): RDSDataClient {
  // One attempt: a retried 429 or 5xx would hide which status the server chose.
  const created = new RDSDataClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  clients.push(created);
  return created;
}

function execute(
  target: Target,
  sql: string,
  extra: { transactionId?: string } = {},
  on: RDSDataClient = client,
): Promise<ExecuteStatementCommandOutput> {
  return on.send(new ExecuteStatementCommand({ ...target, sql, ...extra }));
}

async function begin(target: Target, on: RDSDataClient = client): Promise<string> {
  const { transactionId } = await on.send(new BeginTransactionCommand(target));
  if (!transactionId) throw new Error('no transaction id');
  return transactionId;
}

function rollback(target: Target, transactionId: string, on: RDSDataClient = client) {
  return on.send(
    new RollbackTransactionCommand({
      resourceArn: target.resourceArn,
      secretArn: target.secretArn,
      transactionId,
    }),
  );
}

async function failure(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

/** The SQLSTATE of a refused statement, from the Data API's `…; SQLState: <code>` message. */
async function sqlState(call: Promise<unknown>): Promise<string | undefined> {
  const error = await failure(call);
  expect(error.name).toBe('DatabaseErrorException');
  return /SQLState: (\w{5})$/.exec(error.message)?.[1];
}

/** Runs `sql` as the reader in a transaction it first switched to read-write: only the grants stand in the way. */
async function asReaderReadWrite(sql: string): Promise<string | undefined> {
  const transactionId = await begin(READER);
  try {
    await execute(READER, 'SET TRANSACTION READ WRITE', { transactionId });
    return await sqlState(execute(READER, sql, { transactionId }));
  } finally {
    await rollback(READER, transactionId).catch(() => undefined);
  }
}

async function asSuperuser<T>(
  database: string,
  work: (db: pg.Client) => Promise<T>,
  on = postgres,
): Promise<T> {
  const db = new pg.Client({ host: on.host, port: on.port, user: on.user, password: on.password, database });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

function migrate(target: Target, on: RDSDataClient = client) {
  return loadMigrations(MIGRATIONS_DIR).then((migrations) =>
    applyMigrations(new DataApiDatabase({ autocommit: on, transactional: on }, target), migrations),
  );
}

beforeAll(async () => {
  postgres = await startCluster();
  roles = await preparePipelineRoles(postgres);
  await preparePipelineDatabase(postgres, DATABASE);
  api = await startServer(pipelineSecrets(ARNS, roles));
  client = sdkClient(api);
  await migrate(OWNER);
  await execute(
    OWNER,
    `INSERT INTO pipeline.group_stats VALUES ('author', 'ada', 1, 2, 3, 0.5, 0.5, 0, now(), now(), now())`,
  );
  await execute(OWNER, `INSERT INTO pipeline.ingested_commits (commit_id) VALUES ('c1')`);
});

afterAll(async () => {
  for (const each of clients) each.destroy();
  await Promise.allSettled(servers.map((server) => server.close()));
  await postgres?.stop();
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('callers the server refuses', () => {
  async function post(headers: Record<string, string>, body: string): Promise<Response> {
    return fetch(`${api.url}/Execute`, { method: 'POST', headers, body });
  }

  const insert = JSON.stringify({
    ...OWNER,
    sql: `INSERT INTO pipeline.ingested_commits (commit_id) VALUES ('csrf')`,
  });

  async function csrfRows(): Promise<number> {
    const { records } = await execute(
      OWNER,
      `SELECT count(*) FROM pipeline.ingested_commits WHERE commit_id = 'csrf'`,
    );
    return Number(records?.[0]?.[0]?.longValue);
  }

  it("refuses a browser's simple POST (text/plain, no Authorization) with a 4xx and runs none of its SQL", async () => {
    const response = await post({ 'content-type': 'text/plain;charset=UTF-8' }, insert);

    expect(response.status).toBe(415);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnsupportedMediaTypeException');
    expect(await response.json()).toMatchObject({ code: 'UnsupportedMediaTypeException' });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await csrfRows()).toBe(0);
  });

  it.each([
    ['a form post', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['a multipart form post', { 'content-type': 'multipart/form-data; boundary=x' }, 415],
    ['JSON without Authorization', { 'content-type': 'application/json' }, 403],
    [
      'JSON with a non-SigV4 Authorization',
      { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
      403,
    ],
  ])('refuses %s without running its SQL', async (_, headers, status) => {
    const response = await post(headers, insert);

    expect(response.status).toBe(status);
    expect(await response.json()).toHaveProperty('code', response.headers.get('x-amzn-errortype'));
    expect(await csrfRows()).toBe(0);
  });

  it('answers a CORS preflight without allowing anything', async () => {
    const response = await fetch(`${api.url}/Execute`, {
      method: 'OPTIONS',
      headers: { origin: 'http://attacker.example', 'access-control-request-method': 'POST' },
    });

    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a signed SDK call that carries an Origin header, as every browser POST does', async () => {
    const fromPage = sdkClient(api);
    fromPage.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers.origin = 'http://attacker.example';
        return next(args);
      },
      { step: 'build' },
    );

    const error = await failure(execute(OWNER, 'SELECT 1', {}, fromPage));

    expect(error.name).toBe('ForbiddenException');
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('serves a signed call sent as application/x-amz-json-1.1', async () => {
    const awsJson = sdkClient(api);
    awsJson.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['content-type'] =
          'application/x-amz-json-1.1';
        return next(args);
      },
      { step: 'build' },
    );

    const { records } = await execute(OWNER, 'SELECT 1', {}, awsJson);

    expect(records).toEqual([[{ longValue: 1 }]]);
  });

  it('refuses an unknown secret ARN', async () => {
    const error = await failure(
      execute(
        { ...OWNER, secretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:postgres' },
        'SELECT 1',
      ),
    );

    expect(error.name).toBe('BadRequestException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});

describe("the owner's secret", () => {
  it('logs in as the owner role, which is no superuser', async () => {
    const { records } = await execute(
      OWNER,
      'SELECT current_user::text, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user',
    );

    expect(records).toEqual([
      [
        { stringValue: PIPELINE_OWNER_ROLE },
        { booleanValue: false },
        { booleanValue: false },
        { booleanValue: false },
      ],
    ]);
  });

  it.each([
    ['run a shell command with COPY TO PROGRAM', `COPY (SELECT 1) TO PROGRAM 'touch /tmp/data-api-pwned'`],
    ['read a server file with COPY FROM', `COPY pipeline.ingested_commits (commit_id) FROM '/etc/hostname'`],
    ['read a server file with pg_read_file', `SELECT pg_read_file('/etc/hostname')`],
    ['list a server directory with pg_ls_dir', `SELECT pg_ls_dir('.')`],
    ['import a server file with lo_import', `SELECT lo_import('/etc/hostname')`],
    ['create a superuser', `CREATE ROLE intruder SUPERUSER LOGIN PASSWORD 'x'`],
    ['make itself a superuser', `ALTER ROLE ${PIPELINE_OWNER_ROLE} SUPERUSER`],
    ['become the superuser', 'SET ROLE postgres'],
  ])('cannot %s', async (_, sql) => {
    expect(await sqlState(execute(OWNER, sql))).toBe('42501');
  });

  it('owns the pipeline schema and its tables, so the processor and the migrations work as before', async () => {
    const { records } = await execute(
      OWNER,
      `SELECT count(*) FROM pg_class
        WHERE relnamespace = 'pipeline'::regnamespace AND relkind = 'r'
          AND pg_get_userbyid(relowner) <> current_user`,
    );

    expect(records).toEqual([[{ longValue: 0 }]]);
  });
});

describe("the reader's secret (the api function's identity)", () => {
  it('logs in as the reader role and reads every serving table', async () => {
    const who = await execute(READER, 'SELECT current_user::text');
    const reads = await Promise.all(
      ['group_stats', 'window_stats', 'suspicious_commits'].map((table) =>
        execute(READER, `SELECT count(*) FROM pipeline.${table}`),
      ),
    );

    expect(who.records).toEqual([[{ stringValue: PIPELINE_READER_ROLE }]]);
    expect(reads.map(({ records }) => records?.[0]?.[0]?.longValue)).toEqual([1, 0, 0]);
  });

  it.each([
    ['the ledger', 'SELECT * FROM pipeline.ingested_commits'],
    ['the author baselines', 'SELECT * FROM pipeline.author_baselines'],
    ['the applied migrations', 'SELECT * FROM pipeline.schema_migrations'],
  ])('cannot read %s', async (_, sql) => {
    expect(await sqlState(execute(READER, sql))).toBe('42501');
  });

  const writes: [string, string][] = [
    [
      'insert',
      `INSERT INTO pipeline.group_stats VALUES ('author', 'eve', 1, 1, 1, 1, 1, 0, now(), now(), now())`,
    ],
    ['update', 'UPDATE pipeline.group_stats SET commits = commits + 1'],
    ['delete', 'DELETE FROM pipeline.group_stats'],
    ['truncate', 'TRUNCATE pipeline.suspicious_commits'],
    ['write the ledger', `INSERT INTO pipeline.ingested_commits (commit_id) VALUES ('forged')`],
    ['drop a table', 'DROP TABLE pipeline.window_stats'],
    ['alter a table', 'ALTER TABLE pipeline.group_stats ADD COLUMN note text'],
    ['create a table in the pipeline schema', 'CREATE TABLE pipeline.planted (id int)'],
    ['create a table in the public schema', 'CREATE TABLE public.planted (id int)'],
    ['create a temporary table', 'CREATE TEMP TABLE planted (id int)'],
    ['create a schema', 'CREATE SCHEMA planted'],
    ['create a function', `CREATE FUNCTION pipeline.planted() RETURNS int LANGUAGE sql AS 'SELECT 1'`],
    ['grant itself the ledger', 'GRANT SELECT ON pipeline.ingested_commits TO pipeline_reader'],
  ];

  it.each(writes)('cannot %s, its transactions being read-only by default', async (_, sql) => {
    expect(await sqlState(execute(READER, sql))).toBe('25006');
  });

  it.each(writes)('cannot %s even after switching its transaction to read-write', async (_, sql) => {
    expect(await asReaderReadWrite(sql)).toBe('42501');
  });

  it('cannot create a large object, which no grant covers', async () => {
    expect(await sqlState(execute(READER, 'SELECT lo_create(0)'))).toBe('25006');
  });

  it('left every table as it was', async () => {
    const { records } = await execute(
      OWNER,
      `SELECT (SELECT sum(commits) FROM pipeline.group_stats)::int8,
              (SELECT count(*) FROM pipeline.ingested_commits),
              to_regclass('pipeline.planted') IS NULL`,
    );

    expect(records).toEqual([[{ longValue: 1 }, { longValue: 1 }, { booleanValue: true }]]);
  });

  it("cannot use a transaction the owner's secret began, nor the other way round", async () => {
    const owners = await begin(OWNER);
    const readers = await begin(READER);
    try {
      const hijack = await failure(
        execute(READER, `INSERT INTO pipeline.ingested_commits (commit_id) VALUES ('hijack')`, {
          transactionId: owners,
        }),
      );
      const reverse = await failure(execute(OWNER, 'SELECT 1', { transactionId: readers }));

      expect(hijack.name).toBe('TransactionNotFoundException');
      expect(reverse.name).toBe('TransactionNotFoundException');
    } finally {
      await rollback(OWNER, owners);
      await rollback(READER, readers);
    }
  });
});

describe('caps on pools and transactions', () => {
  const THROTTLED = 'ThrottlingException';

  it('refuses a transaction beyond the per-pool and the server-wide cap with 429, and serves autocommit calls meanwhile', async () => {
    const capped = await startServer(pipelineSecrets(ARNS, roles), {
      maxConnectionsPerPool: 4,
      maxOpenTransactionsPerPool: 3,
      maxOpenTransactions: 5,
    });
    const cappedClient = sdkClient(capped);
    const owners = await Promise.all([1, 2, 3].map(() => begin(OWNER, cappedClient)));

    const fourth = await failure(begin(OWNER, cappedClient));
    const autocommit = await execute(OWNER, 'SELECT 1', {}, cappedClient);
    await Promise.all([1, 2].map(() => begin(READER, cappedClient)));
    const sixth = await failure(begin(READER, cappedClient));
    await rollback(OWNER, owners[0] as string, cappedClient);
    const again = await begin(OWNER, cappedClient);

    await capped.close();

    expect(fourth.name).toBe(THROTTLED);
    expect(fourth.$metadata?.httpStatusCode).toBe(429);
    expect(fourth.message).toContain('for this secret and database (3)');
    expect(autocommit.records).toEqual([[{ longValue: 1 }]]);
    expect(sixth.name).toBe(THROTTLED);
    expect(sixth.message).toContain('on this server (5)');
    expect(again).toEqual(expect.any(String));
  });

  it('lets transactions that a caller never ends hold only their cap of connections, and frees them when idle', async () => {
    // Long enough that all 60 calls and the count finish before the first expiry, even on a busy machine.
    const idleTimeoutMs = 5_000;
    const capped = await startServer(pipelineSecrets(ARNS, roles), {
      transactionIdleTimeoutMs: idleTimeoutMs,
    });
    const leaky = sdkClient(capped);
    const idleInTransaction = () =>
      asSuperuser('postgres', async (db) => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state = 'idle in transaction'`,
          [PIPELINE_OWNER_ROLE],
        );
        return rows[0]?.n;
      });

    const outcomes = await Promise.allSettled(Array.from({ length: 60 }, () => begin(OWNER, leaky)));
    const begun = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    const throttled = outcomes.filter(
      (outcome) => outcome.status === 'rejected' && (outcome.reason as Error).name === THROTTLED,
    ).length;
    const held = await idleInTransaction();
    const stillServed = await execute(OWNER, 'SELECT 1', {}, leaky);
    const deadline = Date.now() + idleTimeoutMs + 15_000;
    let afterIdle = held;
    while (afterIdle !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      afterIdle = await idleInTransaction();
    }
    const afterwards = await begin(OWNER, leaky);

    expect(begun).toBe(16);
    expect(throttled).toBe(44);
    expect(held).toBe(16);
    expect(stillServed.records).toEqual([[{ longValue: 1 }]]);
    expect(afterIdle).toBe(0);
    expect(afterwards).toEqual(expect.any(String));
  });

  it("runs each session under the Data API's statement timeout, with PostgreSQL's idle-transaction backstop", async () => {
    const { records } = await execute(
      OWNER,
      "SELECT current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout')",
    );

    expect(records).toEqual([[{ stringValue: '45s' }, { stringValue: '4min' }]]);
  });
});

describe('a data directory from before the owner role', () => {
  it('hands the pipeline database, schema and tables from the superuser to the owner, and keeps working', async () => {
    const legacy = { ...OWNER, database: 'legacy_layout' };
    // What an older database service did: the Data API logged in as the superuser and ran 001.
    await asSuperuser('postgres', (db) => db.query('CREATE DATABASE legacy_layout'));
    const asSuperuserSecret = sdkClient(
      await startServer([{ secretArn: LOCAL_SECRET_ARN, user: postgres.user, password: postgres.password }]),
    );
    const [first] = await loadMigrations(MIGRATIONS_DIR);
    await applyMigrations(
      new DataApiDatabase({ autocommit: asSuperuserSecret, transactional: asSuperuserSecret }, legacy),
      first ? [first] : [],
    );
    await execute(
      legacy,
      `INSERT INTO pipeline.ingested_commits (commit_id) VALUES ('old')`,
      {},
      asSuperuserSecret,
    );

    await preparePipelineDatabase(postgres, 'legacy_layout');
    const report = await migrate(legacy);
    await execute(legacy, `INSERT INTO pipeline.ingested_commits (commit_id) VALUES ('new')`);
    const ledger = await execute(
      legacy,
      'SELECT commit_id FROM pipeline.ingested_commits ORDER BY commit_id',
    );
    const readable = await execute(
      { ...legacy, secretArn: LOCAL_READER_SECRET_ARN },
      'SELECT count(*) FROM pipeline.group_stats',
    );
    const owners = await asSuperuser('legacy_layout', (db) =>
      db.query<{ owner: string }>(
        `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'pipeline'::regnamespace
         UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'pipeline'
         UNION SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`,
      ),
    );

    expect(report).toEqual({
      applied: ['002_reader_role.sql', '003_batch_layer.sql'],
      skipped: ['001_aggregates.sql'],
    });
    expect(ledger.records).toEqual([[{ stringValue: 'new' }], [{ stringValue: 'old' }]]);
    expect(readable.records).toEqual([[{ longValue: 0 }]]);
    expect(owners.rows.map((row) => row.owner)).toEqual([PIPELINE_OWNER_ROLE]);
  });
});

describe('the migrations on a cluster without the reader role (as on AWS)', () => {
  it("create the reader role as the cluster's master user, with SELECT on the serving tables only", async () => {
    const cluster = await startCluster();
    let server: DataApiServer | undefined;
    try {
      // Aurora's master user: may create roles and databases, is no superuser.
      await asSuperuser(
        'postgres',
        async (db) => {
          await db.query(`CREATE ROLE cluster_master LOGIN CREATEROLE CREATEDB PASSWORD 'master'`);
          await db.query('CREATE DATABASE aws_like OWNER cluster_master');
        },
        cluster,
      );
      server = await startServer(
        [{ secretArn: LOCAL_SECRET_ARN, user: 'cluster_master', password: 'master' }],
        {},
        cluster,
      );
      const master = sdkClient(server);
      const target = { ...OWNER, database: 'aws_like' };

      const report = await migrate(target, master);
      const { records } = await execute(
        target,
        `SELECT r.rolsuper, r.rolcanlogin, r.rolconfig::text,
                has_table_privilege(r.oid, 'pipeline.group_stats', 'SELECT'),
                has_table_privilege(r.oid, 'pipeline.window_stats', 'SELECT'),
                has_table_privilege(r.oid, 'pipeline.suspicious_commits', 'SELECT'),
                has_table_privilege(r.oid, 'pipeline.group_stats', 'INSERT, UPDATE, DELETE, TRUNCATE'),
                has_table_privilege(r.oid, 'pipeline.ingested_commits', 'SELECT'),
                has_table_privilege(r.oid, 'pipeline.author_baselines', 'SELECT'),
                has_schema_privilege(r.oid, 'pipeline', 'CREATE'),
                has_database_privilege(r.oid, current_database(), 'CREATE, TEMPORARY')
           FROM pg_roles r WHERE r.rolname = '${PIPELINE_READER_ROLE}'`,
        {},
        master,
      );

      // The migrator then gives the reader its secret's password (on AWS, from Secrets Manager).
      const password = "it's a 'quoted' secret";
      await setRolePassword(
        new DataApiDatabase({ autocommit: master, transactional: master }, target),
        PIPELINE_READER_ROLE,
        password,
      );
      const reader = new pg.Client({
        host: cluster.host,
        port: cluster.port,
        user: PIPELINE_READER_ROLE,
        password,
        database: 'aws_like',
      });
      await reader.connect();
      const served = await reader.query('SELECT count(*)::int AS n FROM pipeline.group_stats');
      await reader.end();

      expect(served.rows).toEqual([{ n: 0 }]);
      expect(report.applied).toEqual(['001_aggregates.sql', '002_reader_role.sql', '003_batch_layer.sql']);
      expect(records).toEqual([
        [
          { booleanValue: false },
          { booleanValue: true },
          { stringValue: '{default_transaction_read_only=on}' },
          { booleanValue: true },
          { booleanValue: true },
          { booleanValue: true },
          { booleanValue: false },
          { booleanValue: false },
          { booleanValue: false },
          { booleanValue: false },
          { booleanValue: false },
        ],
      ]);
    } finally {
      await server?.close();
      await cluster.stop();
    }
  });
});
