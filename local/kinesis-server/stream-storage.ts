/**
 * Where the server's streams are kept: nowhere beyond the process (temporary), or in a data directory
 * from which a restarted server recovers them (durable):
 *
 *     <data directory>/
 *       streams.json                the catalogue: every stream's definition, and the last epoch issued
 *       <epoch>/shardId-<n>/        one folder per stream incarnation, one per shard
 *         <position>.log / .idx     its segments (segment-files.ts)
 *
 * The catalogue is replaced atomically (written beside, then renamed over), so it always lists the
 * streams as one CreateStream or DeleteStream left them: a stream's folders are made before it is
 * listed, and removed after it is not, and folders no stream lists (a crash between the two) are
 * removed at the next start.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { messageOf } from '../../functions/shared/errors.js';
import { GroupSync } from './group-sync.js';
import {
  DurableSegmentFiles,
  type SegmentFiles,
  syncDirectory,
  TemporarySegmentFiles,
} from './segment-files.js';
import { type RecoveredShard, recoverShard, ShardDataError } from './shard-recovery.js';

/** What defines a stream incarnation; everything else about it is derived or held in its shards. */
export interface StreamDefinition {
  name: string;
  /** Unique per incarnation (sequence-numbers.ts). */
  epoch: number;
  shardCount: number;
  mode: 'PROVISIONED' | 'ON_DEMAND';
  /** Epoch ms. */
  createdAt: number;
  retentionHours: number;
}

export interface Catalog {
  /** The last stream epoch issued, so that no incarnation reuses a deleted one's. */
  lastEpoch: number;
  streams: StreamDefinition[];
}

/** A shard's files, and what they held when it was opened. */
export interface OpenedShard {
  files: SegmentFiles;
  recovered: RecoveredShard | undefined;
}

export interface StreamStorage {
  /**
   * Resolves once every write so far is as durable as the storage promises (at once for temporary
   * storage); a response waits for it before it goes out.
   */
  flushed(): Promise<void>;
  /** The catalogue kept from an earlier run (an empty one for temporary storage). */
  load(): Catalog;
  /** Opens a shard's files, recovering what they hold. */
  openShard(epoch: number, shardId: string, sequencePrefix: string): OpenedShard;
  /** Makes room for a new stream's shards, before it is listed. */
  prepare(definition: StreamDefinition, shardIds: readonly string[]): void;
  /** Persists the catalogue. */
  save(catalog: Catalog): void;
  /** Removes a stream's files, once it is no longer listed. */
  remove(definition: StreamDefinition): void;
}

/** Records in unlinked temporary files; nothing is kept across restarts. */
export class TemporaryStorage implements StreamStorage {
  readonly files: TemporarySegmentFiles;

  constructor(directory: string, segmentBytes: number) {
    this.files = new TemporarySegmentFiles(directory, segmentBytes);
  }

  flushed(): Promise<void> {
    return Promise.resolve();
  }

  load(): Catalog {
    return { lastEpoch: 0, streams: [] };
  }

  openShard(): OpenedShard {
    return { files: this.files, recovered: undefined };
  }

  prepare(): void {}

  save(): void {}

  remove(): void {}
}

const CATALOG_FILE = 'streams.json';
const STREAM_FOLDER = /^\d+$/;

const catalogSchema = z.object({
  version: z.literal(1),
  lastEpoch: z.number().int().nonnegative(),
  streams: z.array(
    z.object({
      name: z.string().min(1),
      epoch: z.number().int().positive(),
      shardCount: z.number().int().positive(),
      mode: z.enum(['PROVISIONED', 'ON_DEMAND']),
      createdAt: z.number(),
      retentionHours: z.number().positive(),
    }),
  ),
});

/** Streams kept in a data directory, recovered by the next server started on it. */
export class DurableStorage implements StreamStorage {
  /** Flushes writes to the device in groups (none: the page cache keeps them, a process crash loses nothing). */
  private readonly group: GroupSync | undefined;

  /**
   * @param directory - the data directory (created when missing)
   * @param segmentBytes - size at which a shard log starts a new segment
   * @param sync - flush every write to the device before the responses after it go out
   */
  constructor(
    readonly directory: string,
    readonly segmentBytes: number,
    readonly sync: boolean,
  ) {
    mkdirSync(directory, { recursive: true });
    this.group = sync ? new GroupSync() : undefined;
  }

  flushed(): Promise<void> {
    return this.group?.flushed() ?? Promise.resolve();
  }

  load(): Catalog {
    const path = join(this.directory, CATALOG_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text = JSON.stringify({ version: 1, lastEpoch: 0, streams: [] });
    }
    let parsed: z.infer<typeof catalogSchema>;
    try {
      parsed = catalogSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new Error(`${path} is not a stream catalogue this server wrote (${messageOf(error)})`);
    }
    const listed = new Set(parsed.streams.map((stream) => String(stream.epoch)));
    for (const name of readdirSync(this.directory)) {
      // A stream whose creation or deletion a crash cut short.
      if (STREAM_FOLDER.test(name) && !listed.has(name))
        rmSync(join(this.directory, name), { recursive: true, force: true });
    }
    return { lastEpoch: parsed.lastEpoch, streams: parsed.streams };
  }

  openShard(epoch: number, shardId: string, sequencePrefix: string): OpenedShard {
    const folder = join(this.directory, String(epoch), shardId);
    // A listed stream always has its folders (they are made before it is listed).
    if (!existsSync(folder)) {
      throw new ShardDataError(
        `${folder} is missing: the stream ${epoch} is listed in ${CATALOG_FILE} without it`,
      );
    }
    const files = new DurableSegmentFiles(folder, this.segmentBytes, this.group);
    return { files, recovered: recoverShard(files, sequencePrefix) };
  }

  prepare(definition: StreamDefinition, shardIds: readonly string[]): void {
    for (const shardId of shardIds)
      mkdirSync(join(this.directory, String(definition.epoch), shardId), { recursive: true });
  }

  save(catalog: Catalog): void {
    const path = join(this.directory, CATALOG_FILE);
    const next = `${path}.next`;
    writeFileSync(next, `${JSON.stringify({ version: 1, ...catalog }, null, 2)}\n`, {
      flush: this.sync,
    });
    renameSync(next, path);
    if (this.sync) syncDirectory(this.directory);
  }

  remove(definition: StreamDefinition): void {
    rmSync(join(this.directory, String(definition.epoch)), { recursive: true, force: true });
  }
}
