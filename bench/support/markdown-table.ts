/**
 * Prints a table as Markdown on stdout, so that a bench's output pastes into the README as it is.
 *
 * @param header - the column titles
 * @param rows - one array of cells per row, in the header's order
 */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}
