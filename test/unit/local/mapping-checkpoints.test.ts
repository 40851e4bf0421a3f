import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointFiles, resumePoint } from '../../../local/mapping-checkpoints.js';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/commits';
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function directory(): string {
  const created = mkdtempSync(join(tmpdir(), 'checkpoints-test-'));
  directories.push(created);
  return created;
}

describe('where a shard resumes', () => {
  it('starts at TRIM_HORIZON without a checkpoint', () => {
    expect(resumePoint(undefined, 2)).toEqual({
      start: { type: 'TRIM_HORIZON' },
      lanes: [undefined, undefined],
    });
  });

  it('starts after the lowest lane checkpoint, numerically, each lane skipping what it did', () => {
    // 99 < 100 as numbers, not as strings.
    expect(resumePoint({ startingSequenceNumber: '1', lanes: ['100', '99', '250'] }, 3)).toEqual({
      start: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '99' },
      lanes: ['100', '99', '250'],
    });
  });

  it('starts at TRIM_HORIZON while a lane has done nothing, the others still skipping', () => {
    expect(resumePoint({ startingSequenceNumber: '1', lanes: ['40', null] }, 2)).toEqual({
      start: { type: 'TRIM_HORIZON' },
      lanes: ['40', undefined],
    });
  });

  it('skips nothing per lane when the number of lanes changed, and says why', () => {
    const resume = resumePoint({ startingSequenceNumber: '1', lanes: ['40', '25'] }, 3);
    expect(resume.start).toEqual({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '25' });
    expect(resume.lanes).toEqual([undefined, undefined, undefined]);
    expect(resume.caveat).toMatch(/2 lanes and the mapping 3/);
  });
});

describe('checkpoint files', () => {
  it('keep each shard checkpoint, replaced whole, with nothing left beside it', async () => {
    const folder = join(directory(), 'checkpoints');
    const files = new CheckpointFiles(folder, ARN);
    expect(await files.load('shardId-000000000000')).toBeUndefined();
    await files.save('shardId-000000000000', { startingSequenceNumber: '4000', lanes: ['4010', null] });
    await files.save('shardId-000000000000', { startingSequenceNumber: '4000', lanes: ['4020', '4015'] });
    expect(await new CheckpointFiles(folder, ARN).load('shardId-000000000000')).toEqual({
      startingSequenceNumber: '4000',
      lanes: ['4020', '4015'],
    });
    expect(readdirSync(folder)).toEqual(['shardId-000000000000.json']);
  });

  it('refuse a file that is not a checkpoint of this stream, naming it', async () => {
    const folder = directory();
    await new CheckpointFiles(folder, ARN).save('shardId-000000000000', {
      startingSequenceNumber: '1',
      lanes: ['2'],
    });
    await expect(new CheckpointFiles(folder, `${ARN}-other`).load('shardId-000000000000')).rejects.toThrow(
      /shardId-000000000000\.json is not a checkpoint of shardId-000000000000 of .*commits-other/,
    );
    writeFileSync(join(folder, 'shardId-000000000001.json'), '{"lanes": [');
    await expect(new CheckpointFiles(folder, ARN).load('shardId-000000000001')).rejects.toThrow(/remove it/);
  });
});
