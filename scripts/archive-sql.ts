/**
 * `npm run archive:sql -- "<SQL>"`: SQL over the cold path (`-- --help` prints the usage, made from the
 * definition below). Copies `raw/` (only what changed since the last run) through the S3 API to a local
 * folder and runs the statement in DuckDB, where the archive is the table `raw_commits` with the columns
 * of the Glue table that Athena queries on the aws target: a query written here runs there unchanged.
 */
import { UsageError } from '../functions/shared/errors.js';
import { syncArchiveCache } from './archive-sql/archive-cache.js';
import { deployedArchive, embeddedArchive } from './archive-sql/archive-target.js';
import { queryArchive } from './archive-sql/duckdb-archive.js';
import { defineCommand } from './cli/command-line.js';
import { runCli } from './cli/run-cli.js';

const ARCHIVE_SQL_COMMAND = defineCommand({
  command: 'npm run archive:sql',
  summary:
    "Runs SQL over the archive's raw/ in DuckDB, as the table raw_commits (the columns Athena's Glue table " +
    "has on the aws target). Embedded: the S3 emulator of the runtime npm start runs. Deployed: the stack's bucket.",
  positionals: [{ name: '"<SQL>"', help: 'one statement, quoted as one argument' }],
  targets: 'any',
  flags: {
    json: { type: 'boolean', default: false, help: 'print each row as a JSON object instead of a table' },
  },
  problem: 'the statement failed',
  examples: [
    'npm run archive:sql -- "SELECT author, count(DISTINCT commit_id) AS commits FROM raw_commits GROUP BY author ORDER BY commits DESC LIMIT 5"',
    'npm run archive:sql -- "SELECT count(*) FROM raw_commits" --target deployed --json',
  ],
});

runCli(ARCHIVE_SQL_COMMAND, async ({ values, positionals, target }) => {
  const [sql, ...rest] = positionals;
  if (!sql || rest.length > 0) throw new UsageError('give the SQL as one argument');
  const archive =
    target.kind === 'embedded'
      ? await embeddedArchive(target.dataDir)
      : await deployedArchive(target.outputsFile, target.stackName);
  const sync = await syncArchiveCache(archive.s3, archive.bucket, archive.cacheDir);
  console.error(
    `${sync.objects} objects under raw/ (${sync.downloaded} downloaded, ${sync.removed} removed)`,
  );
  const rows = await queryArchive(archive.cacheDir, sql);
  if (values.json) {
    for (const row of rows) console.log(JSON.stringify(row));
  } else {
    console.log(rowTable(rows));
    console.error(`${rows.length} row(s)`);
  }
  return 'done';
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
