/**
 * Where the event-source mapping's processing of each shard stands, kept in the data dir so that a
 * restarted runtime resumes where processing stopped, as Lambda's mapping does after any interruption.
 *
 * A shard's checkpoint holds, per lane (one unless `parallelizationFactor` > 1), a sequence number up
 * to which every record of that lane is done (stored, or sent to the failure destination). A restarted
 * mapping reads the shard from after the lowest of them, and each lane skips what it had done already.
 * Because a checkpoint is written before the lane starts its next batch, the first batch after a
 * restart starts exactly where the interrupted one started, which keeps the processor's archive keys
 * (taken from a batch's first record) the same: an arrival is in `raw/` once.
 *
 * One JSON file per shard, replaced atomically (written beside, then renamed over), so a crash leaves
 * the old checkpoint or the new one, never a torn one.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { compareSequenceNumbers } from './kinesis-server/sequence-numbers.js';

/** A shard's progress, per lane. */
export interface ShardCheckpoint {
  /** The shard's StartingSequenceNumber: a checkpoint of another incarnation of the stream is not used. */
  startingSequenceNumber: string;
  /** Per lane, every record of the lane at or below this sequence number is done; null: none yet. */
  lanes: Array<string | null>;
}

/** Where checkpoints are kept (a port: files locally, nothing for a mapping that need not resume). */
export interface CheckpointStore {
  load(shardId: string): Promise<ShardCheckpoint | undefined>;
  save(shardId: string, checkpoint: ShardCheckpoint): Promise<void>;
}

/** Keeps nothing: every start is from TRIM_HORIZON. */
export const NO_CHECKPOINTS: CheckpointStore = {
  load: async () => undefined,
  save: async () => undefined,
};

const checkpointFileSchema = z.object({
  streamArn: z.string(),
  shardId: z.string(),
  startingSequenceNumber: z.string().regex(/^\d+$/),
  lanes: z.array(z.string().regex(/^\d+$/).nullable()).min(1),
});

/** Checkpoints as files `<directory>/<shardId>.json`, for one stream. */
export class CheckpointFiles implements CheckpointStore {
  /**
   * @param directory - created on the first save
   * @param streamArn - the mapping's stream; files of another stream are not used
   */
  constructor(
    readonly directory: string,
    readonly streamArn: string,
  ) {}

  async load(shardId: string): Promise<ShardCheckpoint | undefined> {
    const path = this.pathOf(shardId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = checkpointFileSchema.safeParse(safeJson(text));
    if (!parsed.success || parsed.data.streamArn !== this.streamArn || parsed.data.shardId !== shardId) {
      throw new Error(
        `${path} is not a checkpoint of ${shardId} of ${this.streamArn}; remove it to read the shard from TRIM_HORIZON`,
      );
    }
    return { startingSequenceNumber: parsed.data.startingSequenceNumber, lanes: parsed.data.lanes };
  }

  async save(shardId: string, checkpoint: ShardCheckpoint): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const path = this.pathOf(shardId);
    const next = `${path}.next`;
    await writeFile(next, `${JSON.stringify({ streamArn: this.streamArn, shardId, ...checkpoint })}\n`);
    await rename(next, path);
  }

  private pathOf(shardId: string): string {
    return join(this.directory, `${shardId}.json`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Where a shard's reads start. */
export type StartPosition =
  | { type: 'TRIM_HORIZON' }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

export interface ResumePoint {
  start: StartPosition;
  /** Per lane, the sequence number through which it has done everything (undefined: nothing). */
  lanes: Array<string | undefined>;
  /** Why records done before may be handed over again, when they may. */
  caveat?: string;
}

/**
 * Where a shard's processing resumes: after the lowest lane checkpoint (TRIM_HORIZON while a lane has
 * none), each lane skipping what it had done.
 *
 * @param checkpoint - the shard's saved checkpoint, if any
 * @param laneCount - the mapping's lanes per shard now
 * @example resumePoint({ startingSequenceNumber: '0', lanes: ['40', '25'] }, 2)
 *   // start AFTER_SEQUENCE_NUMBER 25; lane 0 skips records through 40, lane 1 through 25
 */
export function resumePoint(checkpoint: ShardCheckpoint | undefined, laneCount: number): ResumePoint {
  const none = Array.from({ length: laneCount }, () => undefined);
  if (!checkpoint) return { start: { type: 'TRIM_HORIZON' }, lanes: none };
  const { lanes } = checkpoint;
  const lowest = lanes.includes(null)
    ? undefined
    : (lanes as string[]).reduce((low, next) => (compareSequenceNumbers(next, low) < 0 ? next : low));
  const start: StartPosition =
    lowest === undefined
      ? { type: 'TRIM_HORIZON' }
      : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lowest };
  if (lanes.length !== laneCount) {
    // Partition keys map to other lanes now: only what every lane had done is known to be done.
    return {
      start,
      lanes: none,
      caveat: `the checkpoint has ${lanes.length} lanes and the mapping ${laneCount}: records after the lowest lane checkpoint are handed over again`,
    };
  }
  return { start, lanes: lanes.map((lane) => lane ?? undefined) };
}
