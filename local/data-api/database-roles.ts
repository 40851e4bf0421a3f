/**
 * The PostgreSQL roles behind the local Data API's two secrets, and their preparation.
 *
 * Neither role is a superuser, so no request can run `COPY … TO PROGRAM`, read server files
 * (`pg_read_file`, `pg_ls_dir`, `lo_import`) or create roles:
 * - the owner owns the pipeline database and its `pipeline` schema; the processor and the migrations
 *   use it (on AWS: the cluster's master user);
 * - the reader may only `SELECT` the serving tables; the api function uses it. Its grants come from
 *   `db/migrations/002_reader_role.sql`, which creates the role where it is missing (on AWS).
 *
 * Only the database service holds the superuser: it prepares both roles at start-up with fresh
 * passwords, which it hands to the Data API server and to no one else.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PostgresAddress, RoleCredentials } from './database-pools.js';
import type { LocalArns } from './local-arns.js';
import type { SecretIdentity } from './server.js';

/** Owns the pipeline database and schema (the processor's and the migrator's identity). */
export const PIPELINE_OWNER_ROLE = 'pipeline_owner';

/** May only SELECT the serving tables (the api function's identity); granted by migration 002. */
export const PIPELINE_READER_ROLE = 'pipeline_reader';

/** The schema the owner must own, also in a data directory written before the owner existed. */
const PIPELINE_SCHEMA = 'pipeline';

/** Privileges no Data API identity has, stated on every start so that an old cluster is mended too. */
const UNPRIVILEGED = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

/** The credentials of both roles, valid until the next {@link preparePipelineRoles}. */
export interface PipelineRoles {
  readonly owner: RoleCredentials;
  readonly reader: RoleCredentials;
}

/** A superuser's connection, used for preparation only. */
export type SuperuserConnection = PostgresAddress & RoleCredentials;

/**
 * Creates the owner and reader roles if missing, strips any privilege they should not have, makes
 * the reader's transactions read-only by default, and gives both fresh passwords.
 *
 * @param superuser - a superuser connection to the cluster
 * @returns the new credentials (earlier ones stop working)
 */
export async function preparePipelineRoles(superuser: SuperuserConnection): Promise<PipelineRoles> {
  return withClient(superuser, 'postgres', async (client) => {
    const owner = await prepareRole(client, PIPELINE_OWNER_ROLE);
    const reader = await prepareRole(client, PIPELINE_READER_ROLE);
    // Defence in depth below the grants: also refuses what no grant covers, such as lo_create().
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(PIPELINE_READER_ROLE)} SET default_transaction_read_only = on`,
    );
    return { owner, reader };
  });
}

/**
 * Creates `database` owned by the owner role if missing; otherwise hands it, its `pipeline` schema
 * and every relation in that schema to the owner (a data directory from before the owner role held
 * them as the superuser).
 *
 * @param superuser - a superuser connection to the cluster
 * @param database - the database to prepare, e.g. `settings.database.name`
 */
export async function preparePipelineDatabase(
  superuser: SuperuserConnection,
  database: string,
): Promise<void> {
  const owner = PIPELINE_OWNER_ROLE;
  await withClient(superuser, 'postgres', async (client) => {
    const existing = await client.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    );
    const current = existing.rows[0]?.owner;
    if (current === undefined) {
      await client.query(
        `CREATE DATABASE ${client.escapeIdentifier(database)} OWNER ${client.escapeIdentifier(owner)}`,
      );
    } else if (current !== owner) {
      await client.query(
        `ALTER DATABASE ${client.escapeIdentifier(database)} OWNER TO ${client.escapeIdentifier(owner)}`,
      );
    }
  });
  await withClient(superuser, database, (client) => handOverPipelineSchema(client, owner));
}

/**
 * The secret ARNs the local Data API serves and the role each one logs in as.
 *
 * @param arns - from `localArns()`
 * @param roles - from {@link preparePipelineRoles}
 */
export function pipelineSecrets(arns: LocalArns, roles: PipelineRoles): SecretIdentity[] {
  return [
    { secretArn: arns.secretArn, ...roles.owner },
    { secretArn: arns.readerSecretArn, ...roles.reader },
  ];
}

async function prepareRole(client: pg.Client, role: string): Promise<RoleCredentials> {
  const name = client.escapeIdentifier(role);
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (!exists.rowCount) await client.query(`CREATE ROLE ${name}`);
  const password = randomBytes(24).toString('base64url');
  await client.query(`ALTER ROLE ${name} WITH ${UNPRIVILEGED} PASSWORD ${client.escapeLiteral(password)}`);
  return { user: role, password };
}

/** Relation kinds that have an owner of their own (indexes and TOAST tables follow their table). */
const OWNED_RELATION_KINDS: Readonly<Record<string, string>> = {
  r: 'TABLE',
  p: 'TABLE',
  v: 'VIEW',
  m: 'MATERIALIZED VIEW',
  f: 'FOREIGN TABLE',
  S: 'SEQUENCE',
};

async function handOverPipelineSchema(client: pg.Client, owner: string): Promise<void> {
  const schema = await client.query<{ owner: string }>(
    'SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1',
    [PIPELINE_SCHEMA],
  );
  const current = schema.rows[0]?.owner;
  if (current === undefined) return;
  const ownerName = client.escapeIdentifier(owner);
  if (current !== owner) {
    await client.query(`ALTER SCHEMA ${client.escapeIdentifier(PIPELINE_SCHEMA)} OWNER TO ${ownerName}`);
  }
  // A sequence owned by a column moves with its table and refuses a move of its own.
  const relations = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind::text AS kind
       FROM pg_class c
      WHERE c.relnamespace = $1::regnamespace
        AND pg_get_userbyid(c.relowner) <> $2
        AND c.relkind = ANY ($3::"char"[])
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))`,
    [PIPELINE_SCHEMA, owner, Object.keys(OWNED_RELATION_KINDS)],
  );
  for (const { name, kind } of relations.rows) {
    const qualified = `${client.escapeIdentifier(PIPELINE_SCHEMA)}.${client.escapeIdentifier(name)}`;
    await client.query(`ALTER ${OWNED_RELATION_KINDS[kind]} ${qualified} OWNER TO ${ownerName}`);
  }
}

async function withClient<T>(
  connection: SuperuserConnection,
  database: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ ...connection, database, application_name: 'local-database-setup' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
