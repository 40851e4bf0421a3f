/**
 * The batch layer's report as a person reads it: one summary line and a table of differences
 * (dimension, key, field, hot, batch).
 */
import type { BatchRunReport } from '../../functions/batch/batch-run.js';
import type { Difference } from '../../functions/batch/view-diff.js';

const COLUMNS = ['dimension', 'key', 'field', 'hot', 'batch'] as const satisfies ReadonlyArray<
  keyof Difference
>;
/** Longer values are cut, with an ellipsis, so a row stays on one line. */
const MAX_CELL = 48;

/**
 * @param differences - the rows to show
 * @returns the table, header first; an empty string when there is no row
 */
export function differenceTable(differences: readonly Difference[]): string {
  if (differences.length === 0) return '';
  const cells = differences.map((row) => COLUMNS.map((column) => cut(row[column])));
  const widths = COLUMNS.map((column, index) =>
    Math.max(column.length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/**
 * The summary and the table of a run.
 *
 * @param report - what `runBatchLayer` (or the deployed function) returned
 */
export function formatReport(report: BatchRunReport): string {
  const { view, archive, timings } = report;
  const lines = [
    `${report.mode}: ${view.commits} commits (${view.suspiciousCommits} suspicious) from ` +
      `${archive.records} archived records in ${archive.objects} objects; ` +
      `read in ${seconds(timings.readMs)}, processor held out for ${seconds(timings.heldMs)}`,
  ];
  if (archive.invalid > 0) {
    lines.push(
      `${archive.invalid} archived line(s) are not commit records: ${archive.invalidSamples.join('; ')}`,
    );
  }
  if (archive.unrecognisedKeys.length > 0) {
    lines.push(
      `${archive.unrecognisedKeys.length} key(s) under raw/ outside the archive layout were not read`,
    );
  }
  if (report.unarchived.count > 0) {
    lines.push(
      `${report.unarchived.count} commit(s) in the ledger are not in the archive ` +
        `(e.g. ${report.unarchived.sample.slice(0, 3).join(', ')})`,
    );
  }
  const verb = report.mode === 'rebuild' ? 'repaired' : 'found';
  lines.push(
    report.differenceCount === 0
      ? 'no difference between the serving tables and the batch view'
      : `${report.differenceCount} difference(s) ${verb}:`,
  );
  const table = differenceTable(report.differences);
  if (table) lines.push(table);
  if (report.differenceCount > report.differences.length) {
    lines.push(`… ${report.differenceCount - report.differences.length} more not listed`);
  }
  if (report.swapped)
    lines.push('the batch view is now the serving view (tables swapped in one transaction)');
  return lines.join('\n');
}

function cut(value: string): string {
  return value.length > MAX_CELL ? `${value.slice(0, MAX_CELL - 1)}…` : value;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
