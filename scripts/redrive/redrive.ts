/**
 * The redrive: every failure pointer's records, re-read from the stream, through the processor's core
 * (`processBatch` with the processor's own adapters), so the dedupe ledger makes it exact however often
 * a batch is tried; a pointer is removed only once all its records are stored.
 *
 * What cannot be recovered is reported and kept: a pointer whose records the stream no longer holds
 * (what is left of them is stored all the same), a batch the processor still cannot store, a pointer
 * that is not one. Pointers go in stream order, shard by shard, so that each author's commits reach
 * the baselines in the order they were produced, as far as the failure left that possible.
 */
import { type ProcessorDeps, processBatch } from '../../functions/processor/process-batch.js';
import { nameAndMessageOf } from '../../functions/shared/errors.js';
import { compareByStreamPosition, type FailurePointer, type PointerParse } from './failure-pointer.js';
import type { RangeRead } from './stream-range-reader.js';

/** One pointer where it waits (a queue message, a line of the dead-letter file). */
export interface PendingPointer {
  /** Where it is, for the report: e.g. `dead-letters.ndjson line 3`. */
  location: string;
  parsed: PointerParse;
  /** Removes the pointer from where it waits. */
  remove(): Promise<void>;
}

/** Where the pointers wait. */
export interface PointerSource {
  /** A description for the report, e.g. the queue URL. */
  readonly description: string;
  /** Every pointer waiting now. */
  pending(): Promise<PendingPointer[]>;
  /** The run is over: `kept` stay where they are (a queue makes them visible again at once). */
  release(kept: readonly PendingPointer[]): Promise<void>;
}

/** Reads the records a pointer names. */
export interface RangeReader {
  read(pointer: FailurePointer): Promise<RangeRead>;
}

export interface RedriveDeps {
  source: PointerSource;
  reader: RangeReader;
  /** From `createProcessorDeps` with the processor's environment. */
  processor: ProcessorDeps;
  /** The stream this pipeline reads: a pointer naming another one is not redriven. */
  streamArn: string;
}

export interface RedriveOptions {
  /**
   * Also remove pointers whose records the stream no longer holds, once reported (what is left of
   * them stored): they can never be recovered, and would otherwise be reported on every run.
   */
  discardExpired?: boolean;
  onProgress?: (event: RedriveProgress) => void;
}

/** Records stored from one pointer. */
export interface StoredCounts {
  /** Stream records re-read. */
  records: number;
  commitsStored: number;
  duplicatesSkipped: number;
  recordsQuarantined: number;
}

export type PointerOutcome =
  | { kind: 'recovered'; stored: StoredCounts }
  /** Records are missing from the stream; what was left is stored. */
  | { kind: 'expired'; missing: string; stored: StoredCounts; discarded: boolean }
  /** The processor could not store the records (the step and its error), or the pointer not be removed. */
  | { kind: 'failed'; reason: string; stored?: StoredCounts }
  /** Not a pointer of this pipeline: left untouched. */
  | { kind: 'invalid'; reason: string };

export interface PointerReport {
  location: string;
  pointer?: FailurePointer;
  outcome: PointerOutcome;
}

export type RedriveProgress =
  | { kind: 'found'; pointers: number }
  | { kind: 'done'; index: number; total: number; report: PointerReport };

export interface RedriveReport {
  source: string;
  pointers: PointerReport[];
  /** True when every pointer was recovered (also when there were none). */
  allRecovered: boolean;
}

/**
 * @param deps - where the pointers are, how to read the stream, the processor's adapters
 * @param options - whether to discard expired pointers, and a progress callback
 */
export async function redrive(deps: RedriveDeps, options: RedriveOptions = {}): Promise<RedriveReport> {
  const progress = options.onProgress ?? (() => undefined);
  const pending = inStreamOrder(await deps.source.pending());
  progress({ kind: 'found', pointers: pending.length });

  const reports: PointerReport[] = [];
  const removedItems = new Set<PendingPointer>();
  try {
    for (const [index, item] of pending.entries()) {
      const report = await redriveOne(deps, item, options);
      if (removed(report.outcome)) removedItems.add(item);
      reports.push(report);
      progress({ kind: 'done', index, total: pending.length, report });
    }
  } finally {
    // Also when the run breaks off: what was not removed is handed back.
    await deps.source.release(pending.filter((item) => !removedItems.has(item)));
  }
  return {
    source: deps.source.description,
    pointers: reports,
    allRecovered: reports.every((report) => report.outcome.kind === 'recovered'),
  };
}

async function redriveOne(
  deps: RedriveDeps,
  item: PendingPointer,
  options: RedriveOptions,
): Promise<PointerReport> {
  const { location } = item;
  if (!item.parsed.ok) return { location, outcome: { kind: 'invalid', reason: item.parsed.error } };
  const { pointer } = item.parsed;
  if (pointer.streamArn !== deps.streamArn) {
    const reason = `names the stream ${pointer.streamArn}, not this pipeline's ${deps.streamArn}`;
    return { location, pointer, outcome: { kind: 'invalid', reason } };
  }

  let read: RangeRead;
  try {
    read = await deps.reader.read(pointer);
  } catch (error) {
    const reason = `reading the stream failed: ${nameAndMessageOf(error)}`;
    return { location, pointer, outcome: { kind: 'failed', reason } };
  }
  const stored = await store(read.records, deps.processor);
  if (!stored.ok) return { location, pointer, outcome: { kind: 'failed', reason: stored.reason } };

  const removal = read.complete || options.discardExpired ? await removeFrom(item) : undefined;
  if (removal !== undefined && !removal.ok) {
    const reason = `stored, but the pointer could not be removed: ${removal.reason}`;
    return { location, pointer, outcome: { kind: 'failed', reason, stored: stored.counts } };
  }
  const outcome: PointerOutcome = read.complete
    ? { kind: 'recovered', stored: stored.counts }
    : { kind: 'expired', missing: read.missing, stored: stored.counts, discarded: removal !== undefined };
  return { location, pointer, outcome };
}

type Stored = { ok: true; counts: StoredCounts } | { ok: false; reason: string };

async function store(records: RangeRead['records'], processor: ProcessorDeps): Promise<Stored> {
  const outcome = await processBatch(records, processor);
  if (outcome.failure) {
    return {
      ok: false,
      reason: `the ${outcome.failure.step} step failed: ${nameAndMessageOf(outcome.failure.error)}`,
    };
  }
  return {
    ok: true,
    counts: {
      records: records.length,
      commitsStored: outcome.ingest?.counted ?? 0,
      duplicatesSkipped: outcome.ingest?.duplicates ?? 0,
      recordsQuarantined: outcome.quarantined,
    },
  };
}

async function removeFrom(item: PendingPointer): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await item.remove();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: nameAndMessageOf(error) };
  }
}

function removed(outcome: PointerOutcome): boolean {
  return outcome.kind === 'recovered' || (outcome.kind === 'expired' && outcome.discarded);
}

/** Valid pointers in stream order; the others where they were, after them. */
function inStreamOrder(pending: PendingPointer[]): PendingPointer[] {
  const valid = pending.filter((item) => item.parsed.ok);
  const pointerOf = (item: PendingPointer) => (item.parsed as { pointer: FailurePointer }).pointer;
  valid.sort((a, b) => compareByStreamPosition(pointerOf(a), pointerOf(b)));
  return [...valid, ...pending.filter((item) => !item.parsed.ok)];
}
