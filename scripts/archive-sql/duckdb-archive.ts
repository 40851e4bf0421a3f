/**
 * DuckDB over a local copy of the archive, with the table Athena has: `raw_commits`, the same columns
 * and types (functions/batch/archive-table.ts), `dt` and `hour` from the paths. DuckDB's JSON reader is
 * built into `@duckdb/node-api`; nothing is downloaded (extension auto-install is off).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ARCHIVE_COLUMNS, ARCHIVE_PARTITIONS, ARCHIVE_TABLE } from '../../functions/batch/archive-table.js';
import { settings } from '../../functions/shared/settings.js';

export type SqlRow = Record<string, unknown>;

/** The statement that defines `raw_commits` over the copy in `dir` (no files: an empty table). */
export async function archiveViewSql(dir: string): Promise<string> {
  const root = join(dir, settings.archive.rawPrefix);
  const columns = ARCHIVE_COLUMNS.map((column) => `"${column.jsonKey}" AS ${column.name}`).join(', ');
  if (!(await hasFiles(root))) {
    const empty = [
      ...ARCHIVE_COLUMNS.map((column) => `NULL::${column.duckdbType} AS ${column.name}`),
      ...ARCHIVE_PARTITIONS.map((partition) => `NULL::VARCHAR AS ${partition.name}`),
    ];
    return `CREATE VIEW ${ARCHIVE_TABLE} AS SELECT ${empty.join(', ')} WHERE false`;
  }
  const types = ARCHIVE_COLUMNS.map((column) => `'${column.jsonKey}': '${column.duckdbType}'`).join(', ');
  const hiveTypes = ARCHIVE_PARTITIONS.map((partition) => `'${partition.name}': 'VARCHAR'`).join(', ');
  const files = join(root, 'dt=*', 'hour=*', '*', '*.ndjson.gz').replaceAll("'", "''");
  return `CREATE VIEW ${ARCHIVE_TABLE} AS
SELECT ${columns}, ${ARCHIVE_PARTITIONS.map((partition) => partition.name).join(', ')}
FROM read_json('${files}', format = 'newline_delimited', compression = 'gzip',
  hive_partitioning = true, hive_types = {${hiveTypes}}, columns = {${types}})`;
}

/**
 * Runs one SQL statement over the archive copy in `dir`.
 *
 * @param dir - a folder kept by `syncArchiveCache`
 * @param sql - any DuckDB SQL; `raw_commits` is the archive
 * @returns the rows, values as DuckDB's JSON form (BIGINT as numbers when safe, else strings)
 */
export async function queryArchive(dir: string, sql: string): Promise<SqlRow[]> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
  });
  const connection = await instance.connect();
  try {
    await connection.run(await archiveViewSql(dir));
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as SqlRow[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function hasFiles(root: string): Promise<boolean> {
  try {
    return (await readdir(root, { recursive: true })).some((name) => name.endsWith('.ndjson.gz'));
  } catch {
    return false;
  }
}
