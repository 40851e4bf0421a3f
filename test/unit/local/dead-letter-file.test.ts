import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeadLetterFile } from '../../../local/dead-letter-file.js';
import type { FailedBatchRecord } from '../../../local/event-source-mapping.js';

const fileIn = () =>
  new DeadLetterFile(join(mkdtempSync(join(tmpdir(), 'dead-letters-')), 'dead-letters.ndjson'));

function pointer(n: number): FailedBatchRecord {
  return {
    version: '1.0',
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    requestContext: {
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:processor',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    },
    responseContext: {},
    KinesisBatchInfo: {
      shardId: 'shardId-000000000000',
      startSequenceNumber: String(1000 + n * 10),
      endSequenceNumber: String(1009 + n * 10),
      approximateArrivalOfFirstRecord: '2026-01-01T00:00:00.000Z',
      approximateArrivalOfLastRecord: '2026-01-01T00:00:00.000Z',
      batchSize: 10,
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/infected-code-commits',
    },
  };
}

describe('the local dead-letter file', () => {
  it('removes recovered pointers while pointers are appended, and loses none of those', async () => {
    const file = fileIn();
    for (let n = 0; n < 20; n += 1) await file.send(pointer(n));
    const recovered = await file.lines();

    // Appends (the runtime) and removals (a redrive) interleave: each removal reads, filters and
    // rewrites the file, which would drop any line appended in between if they were not serialised.
    await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => file.send(pointer(100 + i))),
      ...Array.from({ length: 10 }, (_, i) => file.remove(recovered.slice(2 * i, 2 * i + 2))),
    ]);

    const left = await file.lines();
    expect(left).toHaveLength(60);
    expect(new Set(left)).toEqual(
      new Set(Array.from({ length: 60 }, (_, i) => JSON.stringify(pointer(100 + i)))),
    );
  });

  it('removes one occurrence per line asked for, and nothing it was not asked for', async () => {
    const file = fileIn();
    writeFileSync(file.path, 'a\nb\na\n\nc\n');
    expect(await file.remove(['a', 'x'])).toBe(1);
    expect(readFileSync(file.path, 'utf8')).toBe('b\na\nc\n');
    expect(await file.remove(['x'])).toBe(0);
    expect(readFileSync(file.path, 'utf8')).toBe('b\na\nc\n');
  });

  it('reads no pointers from a file that does not exist yet', async () => {
    expect(await fileIn().lines()).toEqual([]);
  });

  it('breaks a lock left by a process that no longer runs', async () => {
    const file = fileIn();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${file.path}.lock`, String(gone));
    await file.send(pointer(1));
    expect(await file.lines()).toEqual([JSON.stringify(pointer(1))]);
  });
});
