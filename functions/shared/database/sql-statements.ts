/**
 * Splits a SQL script into its top-level statements.
 *
 * The Data API runs one statement per call, so migration files are cut at semicolons that are not
 * inside a string, a quoted identifier, a dollar-quoted body or a comment.
 *
 * @param script - the text of a `.sql` file
 * @returns the statements, trimmed, without their terminating semicolons; comment-only parts dropped
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const flush = (end: number) => {
    const statement = script.slice(start, end).trim();
    if (stripComments(statement).trim() !== '') statements.push(statement);
  };
  while (i < script.length) {
    const char = script[i];
    const next = script[i + 1];
    if (char === "'" || char === '"') {
      i = skipQuoted(script, i, char);
    } else if (char === '-' && next === '-') {
      i = skipUntil(script, i, '\n');
    } else if (char === '/' && next === '*') {
      i = skipUntil(script, i + 2, '*/');
    } else if (char === '$') {
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(script.slice(i))?.[0];
      i = tag ? skipUntil(script, i + tag.length, tag) : i + 1;
    } else if (char === ';') {
      flush(i);
      start = i + 1;
      i += 1;
    } else {
      i += 1;
    }
  }
  flush(script.length);
  return statements;
}

/** Index just past the closing quote; a doubled quote is an escaped quote. */
function skipQuoted(script: string, openAt: number, quote: string): number {
  let i = openAt + 1;
  while (i < script.length) {
    if (script[i] === quote) {
      if (script[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return i;
}

/** Index just past the next `terminator` at or after `from` (or the end of the script). */
function skipUntil(script: string, from: number, terminator: string): number {
  const end = script.indexOf(terminator, from);
  return end === -1 ? script.length : end + terminator.length;
}

function stripComments(statement: string): string {
  return statement.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
