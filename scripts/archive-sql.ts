/**
 * `npm run archive:sql -- "<SQL>" [--data-dir <dir> | --target deployed [--outputs <file>] [--stack <name>]]
 * [--json]`: SQL over the cold path. Copies `raw/` (only what changed since the last run) through the S3
 * API to a local folder and runs the statement in DuckDB, where the archive is the table `raw_commits`
 * with the columns of the Glue table that Athena queries on the aws target: a query written here runs
 * there unchanged, e.g.
 *
 *   npm run archive:sql -- "SELECT author, count(DISTINCT commit_id) AS commits FROM raw_commits
 *     GROUP BY author ORDER BY commits DESC LIMIT 5"
 */
import { parseArgs } from 'node:util';
import { syncArchiveCache } from './archive-sql/archive-cache.js';
import { deployedArchive, embeddedArchive } from './archive-sql/archive-target.js';
import { queryArchive } from './archive-sql/duckdb-archive.js';
import { TARGET_OPTIONS, targetOf } from './cli-target.js';
import { DeployedStackError, runCli } from './deployed-stack.js';

const USAGE =
  'usage: npm run archive:sql -- "<SQL>" [--data-dir <dir> | --target deployed [--outputs <file>] ' +
  '[--stack <name>]] [--json]';

function parseOptions() {
  return parseArgs({
    strict: true,
    allowPositionals: true,
    options: {
      ...TARGET_OPTIONS,
      json: { type: 'boolean', default: false },
    },
  });
}

runCli(async () => {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (error) {
    throw new DeployedStackError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [sql, ...rest] = positionals;
  if (!sql || rest.length > 0) throw new DeployedStackError(`give the SQL as one argument\n${USAGE}`);
  const target =
    targetOf(values.target) === 'embedded'
      ? await embeddedArchive(values['data-dir'])
      : await deployedArchive(values.outputs, values.stack);
  const sync = await syncArchiveCache(target.s3, target.bucket, target.cacheDir);
  console.error(
    `${sync.objects} objects under raw/ (${sync.downloaded} downloaded, ${sync.removed} removed)`,
  );
  const rows = await queryArchive(target.cacheDir, sql);
  if (values.json) {
    for (const row of rows) console.log(JSON.stringify(row));
  } else {
    console.log(rowTable(rows));
    console.error(`${rows.length} row(s)`);
  }
  return 0;
});

function rowTable(rows: ReadonlyArray<Record<string, unknown>>): string {
  const [first] = rows;
  if (!first) return '';
  const columns = Object.keys(first);
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => String(row[column] ?? 'NULL').length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(columns.map((column) => String(row[column] ?? 'NULL')))),
  ].join('\n');
}
