import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { archiveBatch, archiveKey } from '../../../functions/processor/archive.js';
import { decodeRecords } from '../../../functions/processor/stream-batch.js';
import type { ObjectBody, ObjectStore } from '../../../functions/shared/ports.js';
import { commitRecord, kinesisEvent } from '../../support/factories.js';

class MemoryStore implements ObjectStore {
  objects = new Map<string, ObjectBody>();
  async put(key: string, object: ObjectBody) {
    this.objects.set(key, object);
  }
  lines(key: string): string[] {
    const object = this.objects.get(key);
    if (!object) return [];
    return gunzipSync(object.body as Uint8Array)
      .toString('utf8')
      .trimEnd()
      .split('\n');
  }
}

const batch = {
  shardId: 'shardId-000000000001',
  firstSequence: '4955',
  lastSequence: '4990',
  arrivedAt: 1_704_078_000.25,
};

describe('archive keys', () => {
  it('are Hive-style by UTC arrival date and hour, then shard and sequence range', () => {
    expect(archiveKey('raw/', batch)).toBe(
      'raw/dt=2024-01-01/hour=03/shardId-000000000001/4955-4990.ndjson.gz',
    );
  });

  it('are the same for a retried batch', () => {
    expect(archiveKey('raw/', { ...batch })).toBe(archiveKey('raw/', batch));
  });
});

describe('archiving a batch', () => {
  it('writes valid records to raw/ and invalid ones with their reason to quarantine/, gzipped NDJSON', async () => {
    const store = new MemoryStore();
    const good = commitRecord();
    const records = decodeRecords(kinesisEvent([good, '{"v":1,"commitId":""}', 'not json']).Records);
    await archiveBatch(store, batch, records);

    const rawKey = archiveKey('raw/', batch);
    const quarantineKey = archiveKey('quarantine/', batch);
    expect([...store.objects.keys()].sort()).toEqual([quarantineKey, rawKey].sort());
    expect(store.lines(rawKey).map((line) => JSON.parse(line))).toEqual([good]);
    const quarantined = store.lines(quarantineKey).map((line) => JSON.parse(line));
    expect(quarantined.map((q) => q.sequenceNumber)).toEqual(['1001', '1002']);
    expect(quarantined[1]).toMatchObject({ reason: 'not valid JSON', data: 'not json' });
  });
});
