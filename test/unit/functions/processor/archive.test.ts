import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { archiveBatch, archiveKey, ndjsonLine } from '../../../../functions/processor/archive.js';
import type { ObjectBody, ObjectStore } from '../../../../functions/shared/ports.js';

class MemoryStore implements ObjectStore {
  objects = new Map<string, ObjectBody>();
  async put(key: string, object: ObjectBody) {
    this.objects.set(key, object);
  }
  async delete(key: string) {
    this.objects.delete(key);
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

const batch = { shardId: 'shardId-000000000001', firstSequence: '4955', arrivedAt: 1_704_078_000.25 };

describe('archive keys', () => {
  it('are Hive-style by UTC arrival date and hour, then shard and first sequence number', () => {
    expect(archiveKey('raw/', batch)).toBe('raw/dt=2024-01-01/hour=03/shardId-000000000001/4955.ndjson.gz');
  });

  it('depend on the first record only, so every attempt of a batch writes the same keys', () => {
    expect(archiveKey('raw/', { ...batch })).toBe(archiveKey('raw/', batch));
  });
});

describe('archiving a batch', () => {
  it('writes raw and quarantine lines as gzipped NDJSON under their prefixes', async () => {
    const store = new MemoryStore();
    await archiveBatch(store, batch, { raw: ['{"a":1}', '{"a":2}'], quarantine: ['{"reason":"x"}'] });

    expect(store.lines(archiveKey('raw/', batch))).toEqual(['{"a":1}', '{"a":2}']);
    expect(store.lines(archiveKey('quarantine/', batch))).toEqual(['{"reason":"x"}']);
  });

  it('replaces what an earlier attempt of the batch wrote, deleting a kind the retry no longer has', async () => {
    const store = new MemoryStore();
    await archiveBatch(store, batch, { raw: ['{"a":1}', '{"a":2}'], quarantine: ['{"reason":"x"}'] });
    await archiveBatch(store, batch, { raw: ['{"a":1}'], quarantine: [] });

    expect([...store.objects.keys()]).toEqual([archiveKey('raw/', batch)]);
    expect(store.lines(archiveKey('raw/', batch))).toEqual(['{"a":1}']);
  });

  it('compacts a pretty-printed record to one line, its content unchanged', () => {
    const text = '{\n  "a": 1,\n  "b": "x"\n}';
    expect(ndjsonLine(text)).toBe('{"a":1,"b":"x"}');
    expect(ndjsonLine('{"a":1}')).toBe('{"a":1}');
  });
});
