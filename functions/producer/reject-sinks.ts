/**
 * Where rows that are not sent are kept, as NDJSON: one list per run, named after the run's source so
 * that the lists of earlier runs of the same source can be found. Locally a file
 * `<dir>/<file name>.<source digest>.rejected-<time>.ndjson`; in Lambda numbered parts under
 * `rejected/<source>/<run>/` of the archive bucket. Nothing is opened or written until the first row.
 *
 * A list holds only rows that are finally not counted. A later run of the same source that reads a
 * line again gives the verdict on it (stored, or listed in its own list), so it removes that line from
 * the earlier lists (`supersedeEarlier`): a row that failed to publish and is stored by the rerun
 * leaves the lists, and a rerun from a resume line does not list a row twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ObjectReader, ObjectStore } from '../shared/ports.js';
import { settings } from '../shared/settings.js';
import type { RejectReason } from './reject-reasons.js';

export interface RejectedRow {
  /** The CSV line the row starts at. */
  line: number;
  reason: RejectReason;
  detail: string;
  /** The row's text (a stream record's JSON for rows Kinesis did not take). */
  raw: string;
  /** The row's bytes in base64, when they are not valid in the file's encoding. */
  rawBase64?: string | undefined;
}

/** CSV lines, both ends included. */
export interface LineRange {
  from: number;
  to: number;
}

export interface RejectSink {
  write(row: RejectedRow): Promise<void>;
  close(): Promise<void>;
  /** Where the rejections went, once there were any. */
  location(): string | undefined;
  /**
   * Removes the rows of `lines` from the lists earlier runs of the same source left (this run's own
   * list is untouched): this run has read those lines again.
   *
   * @returns how many rows were removed
   */
  supersedeEarlier(lines: LineRange): Promise<number>;
}

/** A run's name: its start time (sortable) and a few random characters. */
function runStamp(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
}

/** True when a row of a list (one NDJSON line) lies in `lines`; an unreadable one never does. */
function isSuperseded(text: string, lines: LineRange): boolean {
  try {
    const { line } = JSON.parse(text) as Partial<RejectedRow>;
    return typeof line === 'number' && line >= lines.from && line <= lines.to;
  } catch {
    return false;
  }
}

/**
 * Appends rejections to one NDJSON file, created on the first one, in a folder shared by every run.
 */
export class FileRejectSink implements RejectSink {
  private stream: WriteStream | undefined;
  private written = false;
  private readonly prefix: string;
  private readonly path: string;

  /**
   * @param dir - the folder of the reject lists, e.g. `<data-dir>/rejected`
   * @param sourcePath - the absolute path of the CSV replayed: it names the list
   */
  constructor(
    private readonly dir: string,
    sourcePath: string,
  ) {
    const digest = createHash('sha256').update(sourcePath).digest('hex').slice(0, 12);
    this.prefix = `${basename(sourcePath)}.${digest}.rejected-`;
    this.path = join(dir, `${this.prefix}${runStamp()}.ndjson`);
  }

  async write(row: RejectedRow): Promise<void> {
    if (!this.stream) {
      await mkdir(this.dir, { recursive: true });
      this.stream = createWriteStream(this.path, { flags: 'a' });
    }
    this.written = true;
    if (!this.stream.write(`${JSON.stringify(row)}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.stream) return;
    const stream = this.stream;
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }

  location(): string | undefined {
    return this.written ? this.path : undefined;
  }

  async supersedeEarlier(lines: LineRange): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    const own = basename(this.path);
    let removed = 0;
    for (const name of names) {
      if (name === own || !name.startsWith(this.prefix) || !name.endsWith('.ndjson')) continue;
      removed += await supersedeInFile(join(this.dir, name), lines);
    }
    return removed;
  }
}

/** Rewrites one list without the rows of `lines`, line by line (a list may be large); removes it once empty. */
async function supersedeInFile(path: string, lines: LineRange): Promise<number> {
  const rewritten = `${path}.rewrite`;
  const out = createWriteStream(rewritten);
  let kept = 0;
  let removed = 0;
  for await (const line of createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line === '') continue;
    if (isSuperseded(line, lines)) {
      removed += 1;
      continue;
    }
    kept += 1;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  if (removed === 0) await rm(rewritten, { force: true });
  else if (kept === 0) await Promise.all([rm(path, { force: true }), rm(rewritten, { force: true })]);
  else await rename(rewritten, path);
  return removed;
}

/**
 * Buffers rejections and writes them as numbered NDJSON parts under `rejected/<source>/<run>/`. A part
 * is written once it holds `maxPartBytes`, so memory stays bounded however many rows, and however long,
 * are bad.
 */
export class ObjectStoreRejectSink implements RejectSink {
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private part = 0;
  /** Every run of this source lists under it. */
  private readonly sourcePrefix: string;
  private readonly prefix: string;

  /**
   * @param store - the archive bucket
   * @param source - names the replayed input, e.g. `s3://bucket/sources/log.csv`
   * @param rejectedPrefix - `settings.archive.rejectedPrefix`
   * @param maxPartBytes - rows buffered before a part is written
   */
  constructor(
    private readonly store: ObjectStore & ObjectReader,
    source: string,
    rejectedPrefix: string = settings.archive.rejectedPrefix,
    private readonly maxPartBytes = settings.producer.maxRejectBufferBytes,
  ) {
    // Encoded whole, so that one source's prefix never holds another's (`a/b` and `a/b/c`).
    this.sourcePrefix = `${rejectedPrefix}${encodeURIComponent(source)}/`;
    this.prefix = `${this.sourcePrefix}${runStamp()}/`;
  }

  async write(row: RejectedRow): Promise<void> {
    const line = JSON.stringify(row);
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= this.maxPartBytes) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  location(): string | undefined {
    return this.part > 0 ? this.prefix : undefined;
  }

  async supersedeEarlier(lines: LineRange): Promise<number> {
    let removed = 0;
    for (const key of await this.store.list(this.sourcePrefix)) {
      if (key.startsWith(this.prefix)) continue;
      const rows = Buffer.from(await this.store.get(key))
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '');
      const kept = rows.filter((row) => !isSuperseded(row, lines));
      if (kept.length === rows.length) continue;
      removed += rows.length - kept.length;
      if (kept.length === 0) await this.store.delete(key);
      else await this.store.put(key, { body: `${kept.join('\n')}\n`, contentType: NDJSON });
    }
    return removed;
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.part += 1;
    const body = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.bufferedBytes = 0;
    await this.store.put(`${this.prefix}part-${String(this.part).padStart(5, '0')}.ndjson`, {
      body,
      contentType: NDJSON,
    });
  }
}

const NDJSON = 'application/x-ndjson';
