/**
 * The local failure destination: batches that exhausted their retries (or aged out) are appended,
 * one JSON line each in AWS's on-failure record format, to a dead-letter file in the data dir.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FailedBatchRecord, FailureDestination } from './event-source-mapping.js';

export class DeadLetterFile implements FailureDestination {
  constructor(readonly path: string) {}

  async send(record: FailedBatchRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${JSON.stringify(record)}\n`);
  }
}
