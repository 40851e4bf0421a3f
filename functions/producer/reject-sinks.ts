/**
 * Where rows that cannot be sent are kept, as NDJSON: a local file (CLI) or objects under the
 * archive's `rejected/` prefix (Lambda). Nothing is opened or written until the first rejection.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ObjectStore } from '../shared/ports.js';
import { settings } from '../shared/settings.js';

export interface RejectedRow {
  line: number;
  reason: string;
  detail: string;
  raw: string;
  /** The row's bytes in base64, when they are not valid in the file's encoding. */
  rawBase64?: string | undefined;
}

export interface RejectSink {
  write(row: RejectedRow): Promise<void>;
  close(): Promise<void>;
  /** Where the rejections went, once there were any. */
  location(): string | undefined;
}

/** Appends rejections to one NDJSON file, created on the first one. */
export class FileRejectSink implements RejectSink {
  private stream: WriteStream | undefined;
  private written = false;

  constructor(private readonly path: string) {}

  async write(row: RejectedRow): Promise<void> {
    if (!this.stream) {
      await mkdir(dirname(this.path), { recursive: true });
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
}

/**
 * Buffers rejections and writes them as numbered NDJSON parts under one run prefix. A part is written
 * once it holds `maxPartBytes`, so memory stays bounded however many rows, and however long, are bad.
 */
export class ObjectStoreRejectSink implements RejectSink {
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private part = 0;
  private readonly prefix: string;

  constructor(
    private readonly store: ObjectStore,
    rejectedPrefix: string,
    private readonly maxPartBytes = settings.producer.maxRejectBufferBytes,
  ) {
    const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
    this.prefix = `${rejectedPrefix}${runId}/`;
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

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.part += 1;
    const body = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.bufferedBytes = 0;
    await this.store.put(`${this.prefix}part-${String(this.part).padStart(5, '0')}.ndjson`, {
      body,
      contentType: 'application/x-ndjson',
    });
  }
}
