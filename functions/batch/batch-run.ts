/**
 * One run of the batch layer: the view computed from the whole archive into a staging set, then either
 * compared with the serving tables (reconcile) or swapped in for them (rebuild).
 *
 * Both sides must be of one moment, while the processor keeps ingesting. The processor counts a batch
 * in one transaction that starts by inserting into `pipeline.ingested_commits`, and archives the batch
 * after that transaction commits. So a run:
 * 1. reads the archive and writes the view, with no lock (the long part);
 * 2. reads what appeared meanwhile, again with no lock;
 * 3. holds the processor out: `LOCK TABLE pipeline.ingested_commits` (SHARE to reconcile, ACCESS
 *    EXCLUSIVE to rebuild) waits for the processor transactions in flight to commit and makes the next
 *    ones wait at their first insert, so no table the processor writes changes any more;
 * 4. reads the archive again until every commit in the ledger is in the view: batches counted before
 *    the lock whose archive write was still on its way (bounded by `settings.batch.archiveCatchUpMs`);
 * 5. compares, and for a rebuild swaps the staging set in (`pipeline.swap_in_batch_stage`), in the same
 *    transaction; committing it lets the waiting processor transactions go on, on the new tables
 *    (PostgreSQL looks a table name up again after a lock wait on a table that was dropped).
 * Nothing the processor counts is lost (it counted it before the lock, and step 4 found it in the
 * archive, or it counts it after the swap into the new tables) or counted twice (the new ledger holds
 * every commit of the view, so a batch retried after the swap skips what the view has).
 *
 * A commit in the ledger that does not turn up in the archive (its batch went to the dead-letter queue
 * after its transaction, or its object was removed) is a real difference: a reconciliation reports it;
 * a rebuild stops without changing anything, unless told to drop such commits from the view.
 */
import type { SuspicionRules } from '../shared/aggregation/aggregate.js';
import type { Database } from '../shared/database/data-api.js';
import { settings } from '../shared/settings.js';
import { rewritableFrom } from './archive-objects.js';
import type { RawArchive } from './raw-archive.js';
import { StageTables, type UnarchivedCommits } from './stage-tables.js';
import { type ArchiveReadStats, ViewBuilder } from './view-builder.js';
import { type Difference, diffLedgers, diffViews, type LedgerDiff } from './view-diff.js';

export type BatchMode = 'reconcile' | 'rebuild';

export interface BatchLayerDeps {
  /** The owner's Data API identity (it creates, swaps and drops tables). */
  db: Database;
  archive: RawArchive;
}

export interface BatchRunOptions {
  mode: BatchMode;
  /** @default settings.analytics (what the processor runs with) */
  rules?: SuspicionRules;
  /**
   * Rebuild even when the ledger holds commits the archive lacks, dropping them from the view (and
   * from the ledger: a later arrival counts them again). @default false
   */
  dropUnarchived?: boolean;
  /** Differences listed per table; all are counted. @default settings.batch.maxListedDifferences */
  maxListed?: number;
  /** Progress lines. */
  log?: (message: string) => void;
  /** Called once the processor is held out, before the catch-up (tests inject ingestion here). */
  whileHeld?: () => Promise<void>;
}

export interface BatchRunReport {
  mode: BatchMode;
  /** True once a rebuild's staging set is the live tables. */
  swapped: boolean;
  /** Differences between the serving tables and the batch view (before the swap, for a rebuild). */
  differenceCount: number;
  differences: Difference[];
  view: { commits: number; suspiciousCommits: number };
  archive: ArchiveReadStats;
  /** Ledger commits missing from the archive when the comparison ran (`settled`: before the lock). */
  unarchived: UnarchivedCommits;
  /**
   * Milliseconds: reading the archive with no lock, holding the processor out (of which: the catch-up
   * with the ledger comparison, the comparison of the other tables, the swap), and the whole run.
   */
  timings: {
    readMs: number;
    heldMs: number;
    held: { catchUpMs: number; compareMs: number; swapMs: number };
    totalMs: number;
  };
}

/** A rebuild found ledger commits the archive lacks and did not drop them. */
export class UnarchivedCommitsError extends Error {
  override readonly name = 'UnarchivedCommitsError';

  constructor(readonly unarchived: UnarchivedCommits) {
    super(
      `${unarchived.count} commit(s) counted by the speed layer are not in the archive ` +
        `(e.g. ${unarchived.sample.slice(0, 3).join(', ')}); nothing was changed. If their batches are ` +
        'being retried, run the rebuild again later; if they went to the dead-letter queue, redrive them ' +
        'first; to rebuild without them, pass --drop-unarchived',
    );
  }
}

/**
 * Runs the batch layer once.
 *
 * @param deps - the database (owner identity) and the archive
 * @param options - reconcile or rebuild, and the rules to compute the view with
 * @throws UnarchivedCommitsError (rebuild only) when the ledger holds commits the archive lacks
 */
export async function runBatchLayer(deps: BatchLayerDeps, options: BatchRunOptions): Promise<BatchRunReport> {
  const started = performance.now();
  const rules = options.rules ?? settings.analytics;
  const log = options.log ?? (() => undefined);
  const rebuild = options.mode === 'rebuild';
  const stage = await StageTables.create(deps.db);
  let swapped = false;
  try {
    const builder = new ViewBuilder(rules, stage, rewritableFrom(new Date()));
    await builder.readAll(deps.archive);
    await builder.catchUp(deps.archive);
    await stage.analyze();
    const readMs = performance.now() - started;
    log(
      `read ${builder.stats.objects} objects, ${builder.stats.records} records: ` +
        `${builder.view.commits} commits in ${Math.round(readMs)} ms`,
    );

    const before = await stage.unarchived();
    if (rebuild && before.settled > 0 && !options.dropUnarchived) throw new UnarchivedCommitsError(before);

    let heldMs = 0;
    const held = { catchUpMs: 0, compareMs: 0, swapMs: 0 };
    const { diff, unarchived } = await deps.db.transaction(
      async (tx) => {
        await tx.query(
          `LOCK TABLE pipeline.ingested_commits IN ${rebuild ? 'ACCESS EXCLUSIVE' : 'SHARE'} MODE`,
        );
        const heldAt = performance.now();
        await options.whileHeld?.();
        const limit = options.maxListed ?? settings.batch.maxListedDifferences;
        const ledger = await catchUpWhileHeld(builder, deps.archive, () => diffLedgers(tx, stage, limit));
        held.catchUpMs = performance.now() - heldAt;
        const missing = unarchivedOf(ledger, before);
        if (rebuild && missing.count > 0 && !options.dropUnarchived)
          throw new UnarchivedCommitsError(missing);
        const views = await diffViews(tx, stage, { windowSeconds: rules.windowSeconds, limit });
        held.compareMs = performance.now() - heldAt - held.catchUpMs;
        if (rebuild) await stage.swapIn(tx);
        heldMs = performance.now() - heldAt;
        held.swapMs = heldMs - held.catchUpMs - held.compareMs;
        const diff = { count: views.count + ledger.count, listed: [...views.listed, ...ledger.listed] };
        return { diff, unarchived: missing };
      },
      { timeouts: HOLD_TIMEOUTS },
    );
    swapped = rebuild;
    log(`held the processor out for ${Math.round(heldMs)} ms`);
    return {
      mode: options.mode,
      swapped,
      differenceCount: diff.count,
      differences: diff.listed,
      view: { commits: builder.view.commits, suspiciousCommits: builder.view.suspiciousCommits },
      archive: builder.stats,
      unarchived,
      timings: { readMs, heldMs, held, totalMs: performance.now() - started },
    };
  } finally {
    // A swapped set is the live tables now; any other is dropped (a failed drop is cleaned up later).
    if (!swapped) await stage.drop().catch(() => undefined);
  }
}

/**
 * Statement and lock bounds of the transaction that holds the processor out: the lock wait covers a
 * processor transaction in flight; the idle bound covers the archive reads between two statements.
 */
const HOLD_TIMEOUTS = {
  lockTimeoutMs: settings.batch.lockTimeoutMs,
  statementTimeoutMs: 40_000,
  idleTimeoutMs: 60_000,
};

/**
 * Reads new archive objects until no ledger commit is missing from the view, or the budget is spent;
 * the last comparison of the ledgers is the one reported.
 */
async function catchUpWhileHeld(
  builder: ViewBuilder,
  archive: RawArchive,
  compareLedgers: () => Promise<LedgerDiff>,
): Promise<LedgerDiff> {
  const deadline = performance.now() + settings.batch.archiveCatchUpMs;
  for (;;) {
    await builder.catchUp(archive);
    const ledger = await compareLedgers();
    if (ledger.missing === 0 || performance.now() >= deadline) return ledger;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The ledger commits the view lacks, as the last comparison lists them; `settled` as the check before
 * the lock found it (no commit settles while the processor is held out).
 */
function unarchivedOf(ledger: LedgerDiff, before: UnarchivedCommits): UnarchivedCommits {
  const sample = ledger.listed.filter((row) => row.batch === 'no').map((row) => row.key);
  return {
    count: ledger.missing,
    settled: Math.min(before.settled, ledger.missing),
    sample: sample.slice(0, 10),
  };
}
