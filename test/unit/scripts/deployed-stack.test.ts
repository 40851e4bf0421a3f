import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStackOutputs, requireOutput } from '../../../scripts/deployed-stack.js';

const outputsFile = (content: unknown): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'outputs-')), 'cdk-outputs.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
};

const pipeline = { ProducerFunctionName: 'producer-fn', BucketName: 'bucket', Target: 'localstack' };

describe('finding the deployed stack in cdk-outputs.json', () => {
  it('picks the only pipeline stack when none is named', async () => {
    const path = outputsFile({ CDKToolkit: { BucketName: 'staging' }, InfectedCodePipeline: pipeline });
    await expect(readStackOutputs(path)).resolves.toEqual(pipeline);
  });

  it('asks for --stack when the file holds several pipeline stacks', async () => {
    const path = outputsFile({ A: pipeline, B: { ...pipeline, Target: 'aws' } });
    await expect(readStackOutputs(path)).rejects.toThrow(
      /several pipeline stacks \(A, B\); pick one with --stack/,
    );
    await expect(readStackOutputs(path, 'B')).resolves.toMatchObject({ Target: 'aws' });
  });

  it('says to deploy first when the outputs file is missing', async () => {
    await expect(readStackOutputs(join(tmpdir(), 'no-such-dir', 'cdk-outputs.json'))).rejects.toThrow(
      /deploy first/,
    );
  });

  it('names a missing output', () => {
    expect(() => requireOutput(pipeline, 'MigratorFunctionName')).toThrow(/no MigratorFunctionName/);
    expect(requireOutput(pipeline, 'ProducerFunctionName')).toBe('producer-fn');
  });
});
