/**
 * `columnMetadata` entries in the shape pgjdbc's `ResultSetMetaData` gives Aurora's Data API.
 *
 * Only `SELECT 123` → `{type: 4, typeName: 'int4', precision: 10, scale: 0, nullable: 0, …}` is
 * confirmed for AWS; the rest follows pgjdbc and is an assumption.
 */
import type { FieldDef } from 'pg';
import type { PgType } from './pg-types.js';
import type { TableColumnInfo } from './type-catalog.js';
import type { ColumnMetadata } from './wire-types.js';

/** `ResultSetMetaData.columnNoNulls` / `columnNullable`. */
const COLUMN_NO_NULLS = 0;
const COLUMN_NULLABLE = 1;

/** pgjdbc's "unknown length" for unbounded types (text, bytea, json …). */
const UNBOUNDED = 2_147_483_647;

const FIXED_PRECISION: Readonly<Record<string, number>> = {
  bool: 1,
  int2: 5,
  int4: 10,
  oid: 10,
  int8: 19,
  float4: 8,
  float8: 17,
  date: 13,
  time: 15,
  timetz: 21,
  timestamp: 29,
  timestamptz: 35,
  uuid: 36,
  money: 12,
};

/** pgjdbc reports auto-increment columns by their pseudo-type name. */
const SERIAL_NAMES: Readonly<Record<string, string>> = {
  int2: 'smallserial',
  int4: 'serial',
  int8: 'bigserial',
};

const SIGNED = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'money']);
const CASE_INSENSITIVE_KINDS = new Set(['long', 'double', 'decimal', 'boolean', 'timestamp', 'timestamptz']);

/**
 * Builds the metadata of one result column.
 *
 * @param field - `pg`'s row description entry
 * @param type - its resolved type
 * @param table - catalog facts when the column comes straight from a table
 */
export function toColumnMetadata(
  field: FieldDef,
  type: PgType,
  table: TableColumnInfo | undefined,
): ColumnMetadata {
  const autoIncrement = table?.autoIncrement ?? false;
  return {
    name: field.name,
    label: field.name,
    type: type.jdbcType,
    typeName: (autoIncrement && SERIAL_NAMES[type.name]) || type.name,
    // pgjdbc's getSchemaName() is always empty; the table name is the base table's.
    schemaName: '',
    tableName: table?.tableName ?? '',
    isAutoIncrement: autoIncrement,
    isSigned: SIGNED.has(type.name),
    isCurrency: type.name === 'money',
    isCaseSensitive: !CASE_INSENSITIVE_KINDS.has(type.kind) && type.kind !== 'array',
    // The one AWS-shaped sample reports 0 for a computed column, so only nullable table columns get 1.
    nullable: table && !table.notNull ? COLUMN_NULLABLE : COLUMN_NO_NULLS,
    precision: precisionOf(type, field.dataTypeModifier),
    scale: scaleOf(type, field.dataTypeModifier),
    arrayBaseColumnType: 0,
  };
}

function precisionOf(type: PgType, typeModifier: number): number {
  if (type.name === 'numeric') return typeModifier >= 4 ? ((typeModifier - 4) >> 16) & 0xffff : 0;
  if (type.name === 'varchar' || type.name === 'bpchar')
    return typeModifier >= 4 ? typeModifier - 4 : UNBOUNDED;
  return FIXED_PRECISION[type.name] ?? UNBOUNDED;
}

function scaleOf(type: PgType, typeModifier: number): number {
  switch (type.name) {
    case 'numeric':
      return typeModifier >= 4 ? (typeModifier - 4) & 0xffff : 0;
    case 'float4':
      return 8;
    case 'float8':
      return 17;
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'timestamptz':
      return typeModifier >= 0 ? typeModifier : 6;
    default:
      return 0;
  }
}
