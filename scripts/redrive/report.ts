/**
 * What `npm run redrive` prints: a line per pointer as it is done (progress, on stderr), then the
 * summary and every pointer that was not recovered, with the reason (on stdout).
 */
import type { FailurePointer } from './failure-pointer.js';
import type { PointerReport, RedriveProgress, RedriveReport, StoredCounts } from './redrive.js';

/**
 * @param event - from the redrive's `onProgress`
 * @param elapsedMs - since the redrive started
 */
export function progressLine(event: RedriveProgress, elapsedMs: number): string {
  if (event.kind === 'found') return `${event.pointers} failure pointer${plural(event.pointers)} to redrive`;
  const { report } = event;
  const width = String(event.total).length;
  const position = `[${String(event.index + 1).padStart(width)}/${event.total}]`;
  return `${position} ${describePointer(report)}: ${describeOutcome(report)}  (${seconds(elapsedMs)})`;
}

/** The summary and the pointers not recovered. */
export function summaryLines(report: RedriveReport): string[] {
  const count = (kind: PointerReport['outcome']['kind']) =>
    report.pointers.filter((pointer) => pointer.outcome.kind === kind).length;
  const total = report.pointers.length;
  if (total === 0) return [`redrive of ${report.source}: no failure pointers, nothing to do`];
  const stored = report.pointers.reduce<StoredCounts>(
    (sum, { outcome }) => {
      const counts = 'stored' in outcome ? outcome.stored : undefined;
      return counts ? addCounts(sum, counts) : sum;
    },
    { records: 0, commitsStored: 0, duplicatesSkipped: 0, recordsQuarantined: 0 },
  );
  const lines = [
    `redrive of ${report.source}: ${total} pointer${plural(total)}, ${count('recovered')} recovered, ` +
      `${count('expired')} with records no longer in the stream, ${count('failed')} failed, ` +
      `${count('invalid')} not readable`,
    `  ${describeCounts(stored)}`,
  ];
  const unrecovered = report.pointers.filter((pointer) => pointer.outcome.kind !== 'recovered');
  if (unrecovered.length > 0) {
    lines.push('not recovered:');
    for (const pointer of unrecovered)
      lines.push(`  ${describePointer(pointer)}: ${describeOutcome(pointer)}`);
  }
  return lines;
}

function describePointer({ location, pointer }: PointerReport): string {
  return pointer ? `${location} (${describeRange(pointer)})` : location;
}

function describeRange(pointer: FailurePointer): string {
  const records = `${pointer.batchSize} record${plural(pointer.batchSize)}`;
  return `${pointer.shardId} ${pointer.startSequenceNumber}–${pointer.endSequenceNumber}, ${records}`;
}

function describeOutcome({ outcome }: PointerReport): string {
  switch (outcome.kind) {
    case 'recovered':
      return `recovered, pointer removed: ${describeCounts(outcome.stored)}`;
    case 'expired': {
      const pointer = outcome.discarded ? 'pointer discarded' : 'pointer kept (--discard-expired removes it)';
      const left =
        outcome.stored.records === 0
          ? 'nothing of it is left to store'
          : `stored what is left: ${describeCounts(outcome.stored)}`;
      return `NOT RECOVERED: ${outcome.missing}; ${left}; ${pointer}`;
    }
    case 'failed':
      return `NOT RECOVERED: ${outcome.reason}; pointer kept`;
    case 'invalid':
      return `NOT READ: ${outcome.reason}; left untouched`;
  }
}

function describeCounts(counts: StoredCounts): string {
  return (
    `${counts.records} record${plural(counts.records)} re-read, ${counts.commitsStored} commits stored, ` +
    `${counts.duplicatesSkipped} duplicates skipped, ${counts.recordsQuarantined} quarantined`
  );
}

function addCounts(a: StoredCounts, b: StoredCounts): StoredCounts {
  return {
    records: a.records + b.records,
    commitsStored: a.commitsStored + b.commitsStored,
    duplicatesSkipped: a.duplicatesSkipped + b.duplicatesSkipped,
    recordsQuarantined: a.recordsQuarantined + b.recordsQuarantined,
  };
}

const plural = (count: number) => (count === 1 ? '' : 's');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
