import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_FILE_NAME } from '../../../functions/producer/csv-source.js';
import { HOT_RELOAD_BUCKET } from '../../../lib/constructs/pipeline-function.js';
import { BUNDLE_FILE, BUNDLE_HANDLER, LAMBDA_RUNTIME_NAME } from '../../../lib/function-bundles.js';
import {
  functionResource,
  type SynthesizedPipeline,
  synthesizePipeline,
  WITHOUT_BUNDLING,
} from '../../support/synthesize.js';

const bundlesDir = mkdtempSync(join(tmpdir(), 'hot-reload-bundles-'));
let pipeline: SynthesizedPipeline;

beforeAll(() => {
  // With bundling: the synthesis builds the folders the functions will run from.
  pipeline = synthesizePipeline({ target: 'localstack', hotReload: 'true', hotReloadDir: bundlesDir });
});

afterAll(() => {
  rmSync(bundlesDir, { recursive: true, force: true });
});

describe('a LocalStack deployment with hot reload (-c hotReload=true)', () => {
  it("takes every function's code from the hot-reload bucket, the key being its bundle folder", () => {
    for (const [name, fn] of Object.entries(pipeline.stack.functions)) {
      expect(functionResource(pipeline, fn).Properties, name).toMatchObject({
        Code: { S3Bucket: HOT_RELOAD_BUCKET, S3Key: join(bundlesDir, name) },
        Handler: BUNDLE_HANDLER,
        Runtime: LAMBDA_RUNTIME_NAME,
      });
    }
  });

  it('builds each folder during the synthesis, with the files the handlers read beside the bundle', () => {
    for (const name of Object.keys(pipeline.stack.functions)) {
      expect(existsSync(join(bundlesDir, name, BUNDLE_FILE)), name).toBe(true);
    }
    expect(existsSync(join(bundlesDir, 'producer', SAMPLE_FILE_NAME))).toBe(true);
    expect(
      readdirSync(join(bundlesDir, 'migrator', 'migrations')).some((file) => file.endsWith('.sql')),
    ).toBe(true);
    expect(existsSync(join(bundlesDir, 'api', 'dashboard', 'manifest.json'))).toBe(true);
  });

  it('changes nothing else: same environment, explicit log groups and outputs', () => {
    pipeline.template.hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Bucket: HOT_RELOAD_BUCKET },
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    pipeline.template.hasOutput('ProducerFunctionName', {});
    expect(pipeline.nagFindings).toEqual([]);
  });

  it('builds no folder when the synthesis skips bundling (cdk ls, template-only tests)', () => {
    const untouched = mkdtempSync(join(tmpdir(), 'hot-reload-unbuilt-'));
    try {
      synthesizePipeline({ hotReload: 'true', hotReloadDir: untouched, ...WITHOUT_BUNDLING });
      expect(readdirSync(untouched)).toEqual([]);
    } finally {
      rmSync(untouched, { recursive: true, force: true });
    }
  });

  it('is refused on the aws target, which has no hot-reload bucket', () => {
    expect(() => synthesizePipeline({ target: 'aws', hotReload: 'true', ...WITHOUT_BUNDLING })).toThrow(
      /hotReload=true is only possible with target=localstack/,
    );
  });
});
