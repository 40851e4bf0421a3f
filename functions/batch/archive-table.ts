/**
 * The archive as one SQL table, described once: the Glue table over `raw/` (Athena, aws target) and the
 * DuckDB view of `npm run archive:sql` are both built from this list, so a query written locally runs on
 * Athena unchanged. Columns are the commit record's fields (functions/shared/commit-record.ts) in
 * snake_case, then the partitions of the key layout (`dt`, `hour`: the arrival date and hour, UTC).
 */
import { MAX_MESSAGE_CHARS } from '../shared/record-bounds.js';
import { settings } from '../shared/settings.js';

export interface ArchiveColumn {
  /** The SQL column name. */
  name: string;
  /** The record's JSON key it reads. */
  jsonKey: string;
  /** Glue/Athena (Hive) type. */
  glueType: 'int' | 'bigint' | 'double' | 'string';
  /** The DuckDB type that reads the same values. */
  duckdbType: 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'VARCHAR';
  comment: string;
}

/** The table's name, in the Glue database and in DuckDB alike. */
export const ARCHIVE_TABLE = settings.batch.sql.tableName;

export const ARCHIVE_COLUMNS: readonly ArchiveColumn[] = [
  { name: 'v', jsonKey: 'v', glueType: 'int', duckdbType: 'INTEGER', comment: 'record format version' },
  { name: 'commit_id', jsonKey: 'commitId', glueType: 'string', duckdbType: 'VARCHAR', comment: 'commit id' },
  { name: 'author', jsonKey: 'author', glueType: 'string', duckdbType: 'VARCHAR', comment: 'author' },
  {
    name: 'time',
    jsonKey: 'time',
    glueType: 'bigint',
    duckdbType: 'BIGINT',
    comment: 'seconds since the start of the log',
  },
  {
    name: 'event_time',
    jsonKey: 'eventTime',
    glueType: 'string',
    duckdbType: 'VARCHAR',
    comment: 'ISO 8601 UTC: log epoch + time',
  },
  { name: 'file_path', jsonKey: 'filePath', glueType: 'string', duckdbType: 'VARCHAR', comment: 'file path' },
  {
    name: 'lines_added',
    jsonKey: 'linesAdded',
    glueType: 'int',
    duckdbType: 'INTEGER',
    comment: 'lines added',
  },
  {
    name: 'lines_deleted',
    jsonKey: 'linesDeleted',
    glueType: 'int',
    duckdbType: 'INTEGER',
    comment: 'lines deleted',
  },
  {
    name: 'entropy',
    jsonKey: 'entropy',
    glueType: 'double',
    duckdbType: 'DOUBLE',
    comment: 'diff entropy, 0..1',
  },
  {
    name: 'message',
    jsonKey: 'message',
    glueType: 'string',
    duckdbType: 'VARCHAR',
    comment: `commit message (its first ${MAX_MESSAGE_CHARS} characters when longer)`,
  },
  {
    name: 'message_chars',
    jsonKey: 'messageChars',
    glueType: 'int',
    duckdbType: 'INTEGER',
    comment: "the message's length when it was cut; null when whole",
  },
  {
    name: 'ingested_at',
    jsonKey: 'ingestedAt',
    glueType: 'string',
    duckdbType: 'VARCHAR',
    comment: 'ISO 8601 UTC: when the producer read the row',
  },
];

/** The partition columns, from the key layout `raw/dt=YYYY-MM-DD/hour=HH/…`; strings in both engines. */
export const ARCHIVE_PARTITIONS = [
  { name: 'dt', comment: 'arrival date of the batch (UTC), YYYY-MM-DD' },
  { name: 'hour', comment: 'arrival hour of the batch (UTC), 00-23' },
] as const;
