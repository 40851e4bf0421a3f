/**
 * JSON shapes of the RDS Data API as they travel on the wire (restJson1), not as the SDK exposes
 * them: blobs are base64 strings here, `Uint8Array` in the SDK.
 */

/** A `Field` union: exactly one member is set. */
export type Field =
  | { readonly isNull: true }
  | { readonly booleanValue: boolean }
  | { readonly longValue: number }
  | { readonly doubleValue: number }
  | { readonly stringValue: string }
  | { readonly blobValue: string }
  | { readonly arrayValue: ArrayValue };

/** An `ArrayValue` union; entries may be null. */
export type ArrayValue =
  | { readonly booleanValues: readonly (boolean | null)[] }
  | { readonly longValues: readonly (number | null)[] }
  | { readonly doubleValues: readonly (number | null)[] }
  | { readonly stringValues: readonly (string | null)[] };

/** `SqlParameter.typeHint` values. */
export const TYPE_HINTS = ['JSON', 'UUID', 'TIMESTAMP', 'DATE', 'TIME', 'DECIMAL'] as const;
export type TypeHint = (typeof TYPE_HINTS)[number];

/** A validated parameter value: one variant per `Field` member the Data API accepts as input. */
export type ParameterValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'string'; readonly value: string; readonly typeHint?: TypeHint }
  | { readonly kind: 'long'; readonly value: number }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'blob'; readonly value: Buffer };

/** A validated `SqlParameter`. */
export interface NamedParameter {
  readonly name: string;
  readonly value: ParameterValue;
}

/** `ColumnMetadata` as sent with `includeResultMetadata: true`. */
export interface ColumnMetadata {
  readonly name: string;
  readonly type: number;
  readonly typeName: string;
  readonly label: string;
  readonly schemaName: string;
  readonly tableName: string;
  readonly isAutoIncrement: boolean;
  readonly isSigned: boolean;
  readonly isCurrency: boolean;
  readonly isCaseSensitive: boolean;
  readonly nullable: number;
  readonly precision: number;
  readonly scale: number;
  readonly arrayBaseColumnType: number;
}

/** `ExecuteStatement` response body. */
export interface ExecuteStatementResponse {
  readonly records?: readonly (readonly Field[])[];
  readonly columnMetadata?: readonly ColumnMetadata[];
  readonly numberOfRecordsUpdated: number;
  readonly generatedFields?: readonly Field[];
  readonly formattedRecords?: string;
}

/** `BatchExecuteStatement` response body. */
export interface BatchExecuteStatementResponse {
  readonly updateResults: readonly { readonly generatedFields: readonly Field[] }[];
}

/** `resultSetOptions` of `ExecuteStatement`. */
export interface ResultSetOptions {
  readonly decimalReturnType: 'STRING' | 'DOUBLE_OR_LONG';
  readonly longReturnType: 'STRING' | 'LONG';
}
