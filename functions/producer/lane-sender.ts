/**
 * Sends entries in PutRecords batches over parallel lanes while keeping each ordering key in order.
 *
 * Kinesis keeps a shard's records in arrival order, so two requests holding the same key (a partition
 * key, or a shard for aggregates) must never be in flight at once. Every key is hashed to one lane; a
 * lane assembles its own batches and sends them one at a time, and the lanes run in parallel. A full
 * lane whose previous batch is still in flight makes `add` wait, which bounds memory and pushes back on
 * the reader.
 */
import type { StreamEntry } from '../shared/ports.js';
import { BatchAssembler, type BatchLimits } from './batch-assembler.js';

interface Lane<T extends StreamEntry> {
  assembler: BatchAssembler<T>;
  sending: Promise<void>;
}

export class LaneSender<T extends StreamEntry = StreamEntry> {
  private readonly lanes: Lane<T>[];
  private failure: { error: unknown } | undefined;

  /**
   * @param laneCount - requests in flight at most
   * @param limits - per-request record and byte limits
   * @param orderingKey - entries with the same key keep their order
   * @param send - sends one batch (must settle; rejections are rethrown by `add` and `drain`)
   */
  constructor(
    laneCount: number,
    limits: BatchLimits,
    private readonly orderingKey: (entry: T) => string,
    private readonly send: (batch: T[]) => Promise<void>,
  ) {
    this.lanes = Array.from({ length: Math.max(1, laneCount) }, () => ({
      assembler: new BatchAssembler<T>(limits),
      sending: Promise.resolve(),
    }));
  }

  async add(entry: T): Promise<void> {
    const lane = this.laneOf(this.orderingKey(entry));
    const full = lane.assembler.add(entry);
    if (full) await this.dispatch(lane, full);
  }

  /** Sends every lane's partial batch now (used while pacing, so records are not held back). */
  async flush(): Promise<void> {
    for (const lane of this.lanes) {
      const pending = lane.assembler.flush();
      if (pending) await this.dispatch(lane, pending);
    }
  }

  /** Flushes, then waits until everything sent has settled. */
  async drain(): Promise<void> {
    await this.flush();
    await this.settle();
  }

  /** Waits until everything sent has settled, sending nothing more (what is assembled stays unsent). */
  async settle(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.sending));
    this.throwIfFailed();
  }

  private async dispatch(lane: Lane<T>, batch: T[]): Promise<void> {
    await lane.sending;
    this.throwIfFailed();
    lane.sending = this.send(batch).catch((error: unknown) => {
      this.failure ??= { error };
    });
  }

  private laneOf(key: string): Lane<T> {
    // FNV-1a: cheap, stable, and spreads similar keys (person_1, person_2, …) across lanes.
    let hash = 0x811c9dc5;
    for (let i = 0; i < key.length; i += 1) {
      hash ^= key.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    return this.lanes[(hash >>> 0) % this.lanes.length] as Lane<T>;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
