/**
 * Builds the batch view from archive objects: every line decoded as the processor decodes a stream
 * record, de-duplicated by commit id (the first arrival in stream order wins, as in the ledger), and
 * handed to the view (a {@link CommitAggregation}) in chunks; first arrivals go to the staging ledger as
 * they come.
 *
 * The builder remembers which version (ETag) of every object it read that can still be written, so a
 * later pass (`catchUp`) reads only what appeared or changed since: a new batch, or a batch the
 * processor wrote again after a retry. A version read again repeats arrivals already seen, which the
 * de-duplication skips, so reading an object twice never counts twice.
 */
import { CommitAggregation, type SuspicionRules } from '../shared/aggregation/aggregate.js';
import type { ServingRows } from '../shared/aggregation/serving-tables.js';
import { type CommitRecord, decodeCommitRecord } from '../shared/commit-record.js';
import { settings } from '../shared/settings.js';
import type { ArchiveObject } from './archive-objects.js';
import { type RawArchive, readInOrder } from './raw-archive.js';

/** What the reading found. */
export interface ArchiveReadStats {
  /** Object versions read (an object rewritten and read again counts twice). */
  objects: number;
  /** Records read: every arrival, repeats included. */
  records: number;
  /** Records whose commit id had arrived before (replays, retried batches read again). */
  repeats: number;
  /** Lines that are not valid commit records (none, from the processor), with a few reasons. */
  invalid: number;
  invalidSamples: string[];
  /** Keys under `raw/` outside the processor's layout, not read. */
  unrecognisedKeys: string[];
}

/** Where the view's rows go as they are computed: the staging tables, or memory (tests, bench). */
export interface ViewSink {
  addLedgerIds(ids: readonly string[]): Promise<void>;
  write(changes: ServingRows): Promise<void>;
}

export class ViewBuilder {
  /** The batch view: the aggregation the processor runs, fed every first arrival in stream order. */
  readonly view: CommitAggregation;
  /**
   * Every commit id seen: exact, and the one structure that grows with the archive (about 55 bytes per
   * id of 9 characters on V8, so some 55 MB for a million commits; longer ids add their length).
   */
  private readonly ids = new Set<string>();
  readonly stats: ArchiveReadStats = {
    objects: 0,
    records: 0,
    repeats: 0,
    invalid: 0,
    invalidSamples: [],
    unrecognisedKeys: [],
  };
  private readonly versions = new Map<string, string>();
  private pending: CommitRecord[] = [];
  private newIds: string[] = [];
  private newIdBytes = 0;
  private ledgerWrite: Promise<void> = Promise.resolve();

  /**
   * @param rules - the suspicion rules and window length to compute the view with
   * @param sink - where the view is written
   * @param rewritableAfter - keys after this one may still be written (see `rewritableFrom`)
   */
  constructor(
    rules: SuspicionRules,
    private readonly sink: ViewSink,
    private readonly rewritableAfter: string,
  ) {
    this.view = new CommitAggregation(rules);
  }

  /** Reads all of `raw/` and writes the view. */
  async readAll(archive: RawArchive): Promise<void> {
    const listing = await archive.list();
    this.stats.unrecognisedKeys = listing.unrecognised;
    await this.read(archive, listing.objects);
  }

  /**
   * Reads the objects that appeared or changed since the last pass, and writes what they changed.
   *
   * @returns how many object versions were read
   */
  async catchUp(archive: RawArchive): Promise<number> {
    const { objects } = await archive.list(this.rewritableAfter);
    const fresh = objects.filter((object) => this.versions.get(object.key) !== object.etag);
    await this.read(archive, fresh);
    return fresh.length;
  }

  private async read(archive: RawArchive, objects: readonly ArchiveObject[]): Promise<void> {
    for await (const { object, text, etag } of readInOrder(archive, objects)) {
      if (object.key > this.rewritableAfter) this.versions.set(object.key, etag);
      this.stats.objects += 1;
      for (const line of text.split('\n')) if (line !== '') this.addLine(line);
      if (this.pending.length >= settings.batch.chunkCommits) this.aggregatePending();
      if (this.newIdBytes >= settings.database.maxJsonParameterBytes) await this.writeNewIds();
    }
    this.aggregatePending();
    await this.writeNewIds();
    await this.ledgerWrite;
    await this.sink.write(this.view.takeChanges());
  }

  private addLine(line: string): void {
    this.stats.records += 1;
    const decoded = decodeCommitRecord(line);
    if (!decoded.ok) {
      this.stats.invalid += 1;
      if (this.stats.invalidSamples.length < 5) this.stats.invalidSamples.push(decoded.reason);
      return;
    }
    if (this.ids.has(decoded.record.commitId)) {
      this.stats.repeats += 1;
      return;
    }
    this.ids.add(decoded.record.commitId);
    this.pending.push(decoded.record);
    this.newIds.push(decoded.record.commitId);
    this.newIdBytes += decoded.record.commitId.length + 3;
  }

  private aggregatePending(): void {
    this.view.add(this.pending);
    this.pending = [];
  }

  /** One ledger write in flight at a time, overlapping the reading of the next objects. */
  private async writeNewIds(): Promise<void> {
    if (this.newIds.length === 0) return;
    const ids = this.newIds;
    this.newIds = [];
    this.newIdBytes = 0;
    await this.ledgerWrite;
    this.ledgerWrite = this.sink.addLedgerIds(ids);
    // Surfaces at the next await of `ledgerWrite`; until then it must not count as unhandled.
    this.ledgerWrite.catch(() => undefined);
  }
}
