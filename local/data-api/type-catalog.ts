/**
 * Resolves result column types that are not built in (enums, domains, extension types and arrays
 * of them) from `pg_type`, once per database, and reads table facts for `columnMetadata`.
 */
import type pg from 'pg';
import { builtInType, JDBC, otherType, type PgType } from './pg-types.js';

/** Catalog facts about a table column, for `columnMetadata`. */
export interface TableColumnInfo {
  readonly tableName: string;
  readonly notNull: boolean;
  readonly autoIncrement: boolean;
}

interface PgTypeRow {
  readonly name: string;
  readonly isDomain: boolean;
  readonly isArray: boolean;
  readonly element: number;
  readonly base: number;
}

/** How deep domain and array references are followed (array of domain over enum is 3). */
const MAX_DEPTH = 4;

/** A per-database cache of `pg_type` rows. */
export class TypeCatalog {
  private readonly rows = new Map<number, PgTypeRow>();

  /**
   * Resolves every OID in `oids`, querying `pg_type` on `client` for the ones not known yet.
   *
   * @param client - a connected client of this catalog's database (its last statement succeeded)
   * @param oids - `FieldDef.dataTypeID`s of a result
   * @returns the types, indexed like `oids`; unresolvable ones fall back to text
   */
  async resolve(client: pg.ClientBase, oids: readonly number[]): Promise<PgType[]> {
    for (let round = 0; round < MAX_DEPTH; round += 1) {
      const missing = new Set(
        oids.map((oid) => this.firstMissing(oid, 0)).filter((oid) => oid !== undefined),
      );
      if (missing.size === 0) break;
      await this.load(client, [...missing]);
    }
    return oids.map((oid) => this.lookup(oid, 0) ?? otherType(oid, String(oid)));
  }

  /** The first OID on the domain/element chain from `oid` whose `pg_type` row is not loaded. */
  private firstMissing(oid: number, depth: number): number | undefined {
    if (builtInType(oid) || depth > MAX_DEPTH) return undefined;
    const row = this.rows.get(oid);
    if (!row) return oid;
    if (row.isDomain) return this.firstMissing(row.base, depth + 1);
    if (row.isArray) return this.firstMissing(row.element, depth + 1);
    return undefined;
  }

  private lookup(oid: number, depth: number): PgType | undefined {
    const builtIn = builtInType(oid);
    if (builtIn) return builtIn;
    const row = this.rows.get(oid);
    if (!row || depth > MAX_DEPTH) return undefined;
    if (row.isDomain) {
      // A domain behaves like its base type.
      const base = this.lookup(row.base, depth + 1);
      return base && { ...base, oid, name: row.name };
    }
    if (row.isArray) {
      const element = this.lookup(row.element, depth + 1);
      return element && { oid, name: row.name, kind: 'array', jdbcType: JDBC.ARRAY, element };
    }
    return otherType(oid, row.name);
  }

  private async load(client: pg.ClientBase, oids: readonly number[]): Promise<void> {
    const result = await client.query<
      Record<'oid' | 'typname' | 'typtype' | 'typcategory' | 'typelem' | 'typbasetype', string>
    >(
      `SELECT oid::int8::text AS oid, typname, typtype, typcategory,
              typelem::int8::text AS typelem, typbasetype::int8::text AS typbasetype
         FROM pg_type WHERE oid = ANY ($1::oid[])`,
      [`{${oids.join(',')}}`],
    );
    for (const row of result.rows) {
      this.rows.set(Number(row.oid), {
        name: row.typname,
        isDomain: row.typtype === 'd',
        isArray: row.typcategory === 'A' && row.typelem !== '0',
        element: Number(row.typelem),
        base: Number(row.typbasetype),
      });
    }
  }
}

/**
 * Reads table name, NOT NULL and auto-increment (serial or identity) for result columns that come
 * straight from a table.
 *
 * @param client - the client that ran the statement
 * @param columns - `(tableID, columnID)` pairs from `FieldDef`s with `tableID !== 0`
 * @returns facts keyed by `"tableID:columnID"`
 */
export async function readTableColumns(
  client: pg.ClientBase,
  columns: readonly { tableID: number; columnID: number }[],
): Promise<Map<string, TableColumnInfo>> {
  const facts = new Map<string, TableColumnInfo>();
  if (columns.length === 0) return facts;
  const result = await client.query<{ key: string; relname: string; attnotnull: string; auto: string }>(
    `SELECT a.attrelid::int8 || ':' || a.attnum AS key, c.relname, a.attnotnull::text AS attnotnull,
            (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false))::text AS auto
       FROM unnest($1::oid[], $2::int2[]) AS k(relid, attnum)
       JOIN pg_attribute a ON a.attrelid = k.relid AND a.attnum = k.attnum
       JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum`,
    [`{${columns.map((c) => c.tableID).join(',')}}`, `{${columns.map((c) => c.columnID).join(',')}}`],
  );
  for (const row of result.rows) {
    facts.set(row.key, {
      tableName: row.relname,
      notNull: row.attnotnull === 'true',
      autoIncrement: row.auto === 'true',
    });
  }
  return facts;
}
