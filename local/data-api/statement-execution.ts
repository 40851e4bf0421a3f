/**
 * Runs one bound statement on a client and builds the `ExecuteStatement` response, enforcing the
 * Data API's row and response size limits.
 */
import type pg from 'pg';
import { toColumnMetadata } from './column-metadata.js';
import { badRequest } from './errors.js';
import { DATA_API_LIMITS } from './limits.js';
import type { BoundStatement } from './parameter-binding.js';
import { fieldToJson, type ResultColumn, toField } from './result-mapping.js';
import { readTableColumns, type TypeCatalog } from './type-catalog.js';
import type { ExecuteStatementResponse, Field, ResultSetOptions } from './wire-types.js';

/** How the caller wants the result. */
export interface ResultFormat {
  readonly includeResultMetadata: boolean;
  readonly formatRecordsAs: 'NONE' | 'JSON';
  readonly resultSetOptions: ResultSetOptions;
  /** Response size limit for `records` (1 MiB on AWS). */
  readonly maxResponseBytes: number;
}

/** A statement's response plus the command tag, which decides whether the session is still clean. */
export interface StatementOutcome {
  readonly response: ExecuteStatementResponse;
  readonly command: string;
}

type RawRow = (string | null)[];

/** Commands whose row count is `numberOfRecordsUpdated`. */
const ROW_COUNT_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** Commands that leave no session state behind; anything else (SET, BEGIN, DDL, …) might. */
const STATELESS_COMMANDS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * True when a command may have changed session state (`SET`, `BEGIN`, `PREPARE`, temp tables …).
 * The Data API does not carry session state from one call to the next, so such a connection is
 * discarded instead of going back to the pool.
 *
 * @param command - `pg`'s command tag, e.g. `SELECT`
 */
export function mayLeaveSessionState(command: string): boolean {
  // An empty query has no command tag and changes nothing.
  return command !== '' && !STATELESS_COMMANDS.has(command);
}

/**
 * Sends a bound statement with the extended query protocol, which makes PostgreSQL itself refuse
 * several statements in one call ("cannot insert multiple commands into a prepared statement").
 *
 * @param client - a connected client
 * @param statement - SQL with `$n` placeholders and its values
 */
export function runStatement(
  client: pg.ClientBase,
  statement: BoundStatement,
): Promise<pg.QueryArrayResult<RawRow>> {
  // `queryMode` is supported by pg ≥ 8.11 but missing from @types/pg.
  const config: pg.QueryArrayConfig & { queryMode: 'extended' } = {
    text: statement.text,
    values: [...statement.values],
    rowMode: 'array',
    queryMode: 'extended',
  };
  return client.query<RawRow>(config);
}

/**
 * Runs `statement` and maps its result.
 *
 * @param client - the client to run on (pooled or a transaction's)
 * @param types - the database's type catalog
 * @param statement - the bound statement
 * @param format - metadata, JSON formatting, result set options and size limit
 */
export async function executeStatement(
  client: pg.ClientBase,
  types: TypeCatalog,
  statement: BoundStatement,
  format: ResultFormat,
): Promise<StatementOutcome> {
  const result = await runStatement(client, statement);
  const command = result.command ?? '';
  const numberOfRecordsUpdated = ROW_COUNT_COMMANDS.has(command) ? (result.rowCount ?? 0) : 0;
  // AWS answers `generatedFields: []` for everything but queries (PostgreSQL has no generated keys).
  const generatedFields = command === 'SELECT' ? undefined : ([] as Field[]);
  const returnsRows = result.fields.length > 0 || command === 'SELECT';
  if (!returnsRows) return { command, response: { numberOfRecordsUpdated, generatedFields } };

  const columnTypes = await types.resolve(
    client,
    result.fields.map((field) => field.dataTypeID),
  );
  const columns: ResultColumn[] = result.fields.map((field, index) => ({
    type: columnTypes[index] as ResultColumn['type'],
    typeModifier: field.dataTypeModifier,
  }));

  if (format.formatRecordsAs === 'JSON') {
    const formattedRecords = formatRecords(result, columns, format.resultSetOptions);
    return { command, response: { numberOfRecordsUpdated, generatedFields, formattedRecords } };
  }

  const records = mapRecords(result.rows, columns, format);
  const columnMetadata = format.includeResultMetadata
    ? await describeColumns(client, result.fields, columns)
    : undefined;
  const response: ExecuteStatementResponse = {
    columnMetadata,
    records,
    numberOfRecordsUpdated,
    generatedFields,
  };
  if (Buffer.byteLength(JSON.stringify(response)) > format.maxResponseBytes) throw responseTooLarge(format);
  return { command, response };
}

function mapRecords(
  rows: readonly RawRow[],
  columns: readonly ResultColumn[],
  format: ResultFormat,
): Field[][] {
  const records: Field[][] = [];
  let responseBytes = 0;
  for (const [rowIndex, row] of rows.entries()) {
    const record = row.map((raw, index) =>
      toField(raw, columns[index] as ResultColumn, format.resultSetOptions),
    );
    const rowBytes = Buffer.byteLength(JSON.stringify(record));
    if (rowBytes > DATA_API_LIMITS.maxRowBytes) {
      throw badRequest(
        `Database returned a row larger than the allowed row size limit (row ${rowIndex + 1}: ${rowBytes} bytes, ` +
          `limit ${DATA_API_LIMITS.maxRowBytes}).`,
      );
    }
    // Stop early instead of mapping a huge result that will be refused anyway.
    responseBytes += rowBytes + 1;
    if (responseBytes > format.maxResponseBytes) throw responseTooLarge(format);
    records.push(record);
  }
  return records;
}

function responseTooLarge(format: ResultFormat): Error {
  return badRequest(
    `Database returned more than the allowed response size limit (${format.maxResponseBytes} bytes); ` +
      'page through the result with LIMIT and a keyset.',
  );
}

/** `formatRecordsAs: JSON`: one object per row keyed by column label, which must be unique. */
function formatRecords(
  result: pg.QueryArrayResult<RawRow>,
  columns: readonly ResultColumn[],
  options: ResultSetOptions,
): string {
  const labels = result.fields.map((field) => field.name);
  const duplicate = labels.find((label, index) => labels.indexOf(label) !== index);
  if (duplicate !== undefined) {
    throw badRequest(
      `formatRecordsAs JSON requires unique column names; "${duplicate}" appears more than once.`,
    );
  }
  const objects = result.rows.map((row) =>
    Object.fromEntries(
      row.map((raw, index) => [
        labels[index],
        fieldToJson(toField(raw, columns[index] as ResultColumn, options)),
      ]),
    ),
  );
  const formatted = JSON.stringify(objects);
  if (Buffer.byteLength(formatted) > DATA_API_LIMITS.maxFormattedResponseBytes) {
    throw badRequest(
      `Database returned more than the allowed response size limit for JSON results ` +
        `(${DATA_API_LIMITS.maxFormattedResponseBytes} bytes).`,
    );
  }
  return formatted;
}

async function describeColumns(
  client: pg.ClientBase,
  fields: readonly pg.FieldDef[],
  columns: readonly ResultColumn[],
) {
  const fromTables = fields.filter((field) => field.tableID !== 0);
  const tableFacts = await readTableColumns(client, fromTables);
  return fields.map((field, index) =>
    toColumnMetadata(
      field,
      (columns[index] as ResultColumn).type,
      tableFacts.get(`${field.tableID}:${field.columnID}`),
    ),
  );
}
