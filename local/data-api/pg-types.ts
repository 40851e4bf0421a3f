/**
 * What the Data API needs to know about a PostgreSQL type: which `Field` member carries its values
 * and which JDBC type code `columnMetadata` reports (pgjdbc's mapping, as Aurora's Data API uses).
 */

/** How values of a type become a `Field` member. */
export type ValueKind =
  | 'long'
  | 'double'
  | 'decimal'
  | 'boolean'
  | 'bytea'
  | 'timestamp'
  | 'timestamptz'
  | 'string'
  | 'array';

/** A resolved PostgreSQL type. */
export interface PgType {
  readonly oid: number;
  readonly name: string;
  readonly kind: ValueKind;
  /** `java.sql.Types` code. */
  readonly jdbcType: number;
  /** Element type of an array (`kind === 'array'`). */
  readonly element?: PgType;
}

/** `java.sql.Types` codes used below. */
export const JDBC = {
  BIT: -7,
  SMALLINT: 5,
  INTEGER: 4,
  BIGINT: -5,
  REAL: 7,
  DOUBLE: 8,
  NUMERIC: 2,
  CHAR: 1,
  VARCHAR: 12,
  DATE: 91,
  TIME: 92,
  TIMESTAMP: 93,
  BINARY: -2,
  SQLXML: 2009,
  ARRAY: 2003,
  OTHER: 1111,
} as const;

type Scalar = readonly [oid: number, name: string, kind: ValueKind, jdbcType: number, arrayOid: number];

const SCALARS: readonly Scalar[] = [
  [16, 'bool', 'boolean', JDBC.BIT, 1000],
  [17, 'bytea', 'bytea', JDBC.BINARY, 1001],
  [18, 'char', 'string', JDBC.CHAR, 1002],
  [19, 'name', 'string', JDBC.VARCHAR, 1003],
  [20, 'int8', 'long', JDBC.BIGINT, 1016],
  [21, 'int2', 'long', JDBC.SMALLINT, 1005],
  [23, 'int4', 'long', JDBC.INTEGER, 1007],
  [25, 'text', 'string', JDBC.VARCHAR, 1009],
  [26, 'oid', 'long', JDBC.BIGINT, 1028],
  [114, 'json', 'string', JDBC.OTHER, 199],
  [142, 'xml', 'string', JDBC.SQLXML, 143],
  [700, 'float4', 'double', JDBC.REAL, 1021],
  [701, 'float8', 'double', JDBC.DOUBLE, 1022],
  [790, 'money', 'string', JDBC.DOUBLE, 791],
  [869, 'inet', 'string', JDBC.OTHER, 1041],
  [1042, 'bpchar', 'string', JDBC.CHAR, 1014],
  [1043, 'varchar', 'string', JDBC.VARCHAR, 1015],
  [1082, 'date', 'string', JDBC.DATE, 1182],
  [1083, 'time', 'string', JDBC.TIME, 1183],
  [1114, 'timestamp', 'timestamp', JDBC.TIMESTAMP, 1115],
  [1184, 'timestamptz', 'timestamptz', JDBC.TIMESTAMP, 1185],
  [1186, 'interval', 'string', JDBC.OTHER, 1187],
  [1266, 'timetz', 'string', JDBC.TIME, 1270],
  [1700, 'numeric', 'decimal', JDBC.NUMERIC, 1231],
  [2950, 'uuid', 'string', JDBC.OTHER, 2951],
  [3802, 'jsonb', 'string', JDBC.OTHER, 3807],
];

const BUILT_IN = new Map<number, PgType>();
for (const [oid, name, kind, jdbcType, arrayOid] of SCALARS) {
  const scalar: PgType = { oid, name, kind, jdbcType };
  BUILT_IN.set(oid, scalar);
  BUILT_IN.set(arrayOid, {
    oid: arrayOid,
    name: `_${name}`,
    kind: 'array',
    jdbcType: JDBC.ARRAY,
    element: scalar,
  });
}

/**
 * The built-in type with this OID, or `undefined` for types that must be looked up in `pg_type`
 * (enums, domains, extension types, arrays of those).
 *
 * @param oid - `FieldDef.dataTypeID`
 */
export function builtInType(oid: number): PgType | undefined {
  return BUILT_IN.get(oid);
}

/** Fallback for types without a special mapping: text form in `stringValue`, JDBC `OTHER`. */
export function otherType(oid: number, name: string): PgType {
  return { oid, name, kind: 'string', jdbcType: JDBC.OTHER };
}
