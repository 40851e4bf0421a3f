/**
 * A small PostgreSQL lexer that finds the Data API's `:name` parameters.
 *
 * It only needs to know where parameters cannot be: inside string literals (`'…'`, `E'…'`),
 * quoted identifiers (`"…"`), dollar-quoted bodies (`$tag$…$tag$`) and comments (`--`, nested
 * `/* *\/`). Type casts (`::`) and slice colons (`[1:2]`) are left alone.
 */

/** SQL split around its parameter references. */
export interface ParsedSql {
  /** Literal SQL around the references: `parts.length === references.length + 1`. */
  readonly parts: readonly string[];
  /** Referenced parameter names in order of appearance; repeats are kept. */
  readonly references: readonly string[];
  /** True when the SQL contains a `$1`-style positional parameter outside quotes and comments. */
  readonly hasPositionalParameters: boolean;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const PARAM_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/**
 * Splits `sql` at its `:name` references.
 *
 * @param sql - the statement as sent to ExecuteStatement
 * @example
 * ```ts
 * parseNamedParameters("SELECT :id::uuid, ':not' -- :neither");
 * // { parts: ['SELECT ', "::uuid, ':not' -- :neither"], references: ['id'], ... }
 * ```
 */
export function parseNamedParameters(sql: string): ParsedSql {
  const parts: string[] = [];
  const references: string[] = [];
  let hasPositionalParameters = false;
  let partStart = 0;
  let i = 0;

  while (i < sql.length) {
    const char = sql.charAt(i);
    const next = sql.charAt(i + 1);

    if (char === "'") {
      i = skipQuoted(sql, i, "'", isEscapeStringPrefix(sql, i));
    } else if (char === '"') {
      i = skipQuoted(sql, i, '"', false);
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (char === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (char === '$') {
      if (/[0-9]/.test(next)) {
        hasPositionalParameters = true;
        i += 2;
      } else {
        i = skipDollarQuoted(sql, i);
      }
    } else if (IDENT_START.test(char)) {
      // Consume whole identifiers so that `$` inside them (`a$b$`) never opens a dollar quote.
      i += 1;
      while (i < sql.length && IDENT_CHAR.test(sql.charAt(i))) i += 1;
    } else if (char === ':' && next === ':') {
      i += 2;
    } else if (char === ':') {
      PARAM_NAME.lastIndex = i + 1;
      const match = PARAM_NAME.exec(sql);
      if (match) {
        parts.push(sql.slice(partStart, i));
        references.push(match[0]);
        i = i + 1 + match[0].length;
        partStart = i;
      } else {
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  parts.push(sql.slice(partStart));
  return { parts, references, hasPositionalParameters };
}

/** `E'…'` / `e'…'` strings honour backslash escapes; the `E` must stand alone, not end a word. */
function isEscapeStringPrefix(sql: string, quoteIndex: number): boolean {
  const prefix = sql.charAt(quoteIndex - 1);
  return (prefix === 'E' || prefix === 'e') && !IDENT_CHAR.test(sql.charAt(quoteIndex - 2));
}

/** Returns the index after the closing quote; doubled quotes are escapes. Unterminated: end of SQL. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const char = sql.charAt(i);
    if (backslashEscapes && char === '\\') {
      i += 2;
    } else if (char === quote) {
      if (sql.charAt(i + 1) !== quote) return i + 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** PostgreSQL block comments nest. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** A lone `$` that does not open a `$tag$` is an ordinary character. */
function skipDollarQuoted(sql: string, start: number): number {
  DOLLAR_TAG.lastIndex = start;
  const match = DOLLAR_TAG.exec(sql);
  if (!match) return start + 1;
  const tag = match[0];
  const end = sql.indexOf(tag, start + tag.length);
  return end === -1 ? sql.length : end + tag.length;
}
