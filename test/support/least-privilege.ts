/**
 * IAM assertions shared by the target test files: each file passes its own (single) synthesis.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env.js';
import { settings } from '../../functions/shared/settings.js';
import { SOURCE_PREFIX } from '../../lib/constructs/archive-bucket.js';
import { allows, bucketArn, objectsArn, type SynthesizedPipeline, statementsOf } from './synthesize.js';

const { archive } = settings;

/**
 * Declares the least-privilege tests of one synthesized target.
 *
 * @param synthesized - returns the file's synthesis (available once its `beforeAll` ran)
 */
export function describeLeastPrivilege(synthesized: () => SynthesizedPipeline): void {
  describe('least privilege', () => {
    const clusterArn = () => synthesized().stack.database.environment[ENV.dbClusterArn];
    const secretArn = () => synthesized().stack.database.environment[ENV.dbSecretArn];

    it('lets the producer put records on the stream, read uploaded sources and keep its reject lists only', () => {
      const p = synthesized();
      const granted = statementsOf(p, p.stack.producer);
      const rejected = objectsArn(p, `${archive.rejectedPrefix}*`);
      expect(allows(p, granted, 'kinesis:PutRecords', p.stack.stream.streamArn)).toBe(true);
      expect(allows(p, granted, 'kinesis:PutRecord', p.stack.stream.streamArn)).toBe(true);
      expect(allows(p, granted, 's3:GetObject', objectsArn(p, `${SOURCE_PREFIX}*`))).toBe(true);
      expect(allows(p, granted, 's3:PutObject', rejected)).toBe(true);
      // A later run of a source rewrites the lists of earlier ones.
      expect(allows(p, granted, 's3:GetObject', rejected)).toBe(true);
      expect(allows(p, granted, 's3:DeleteObject', rejected)).toBe(true);
      expect(granted.filter((s) => s.action === 's3:PutObject')).toHaveLength(1);
      expect(granted.some((s) => s.action.startsWith('rds-data:'))).toBe(false);
      expect(granted.some((s) => s.action.startsWith('kinesis:Get'))).toBe(false);
    });

    it('lets the producer list only the keys under sources/ and rejected/, and read no other key or bucket setting', () => {
      const p = synthesized();
      const s3 = statementsOf(p, p.stack.producer).filter((s) => s.action.startsWith('s3:'));
      const listing = s3.filter((s) => s.action.startsWith('s3:List'));
      const prefixes = [SOURCE_PREFIX, archive.rejectedPrefix];
      expect(listing).toHaveLength(prefixes.length);
      expect(listing).toEqual(
        expect.arrayContaining(
          prefixes.map((prefix) => ({
            action: 's3:ListBucket',
            resource: bucketArn(p),
            condition: { StringLike: { 's3:prefix': `${prefix}*` } },
          })),
        ),
      );
      const reads = s3.filter((s) => s.action.startsWith('s3:Get'));
      expect(reads).toHaveLength(prefixes.length);
      expect(reads).toEqual(
        expect.arrayContaining(
          prefixes.map((prefix) => ({ action: 's3:GetObject', resource: objectsArn(p, `${prefix}*`) })),
        ),
      );
      // Every other S3 right is on the reject lists.
      for (const statement of s3.filter((s) => !listing.includes(s) && !reads.includes(s))) {
        expect(statement.resource).toEqual(objectsArn(p, `${archive.rejectedPrefix}*`));
      }
    });

    it('lets the processor read the stream, write raw/ and quarantine/, call the Data API and fail over to the queue', () => {
      const p = synthesized();
      const granted = statementsOf(p, p.stack.processor);
      expect(allows(p, granted, 'kinesis:GetRecords', p.stack.stream.streamArn)).toBe(true);
      expect(allows(p, granted, 's3:PutObject', objectsArn(p, `${archive.rawPrefix}*`))).toBe(true);
      expect(allows(p, granted, 's3:PutObject', objectsArn(p, `${archive.quarantinePrefix}*`))).toBe(true);
      expect(allows(p, granted, 'rds-data:ExecuteStatement', clusterArn())).toBe(true);
      expect(allows(p, granted, 'rds-data:BeginTransaction', clusterArn())).toBe(true);
      expect(allows(p, granted, 'secretsmanager:GetSecretValue', secretArn())).toBe(true);
      expect(allows(p, granted, 'sqs:SendMessage', p.stack.deadLetterQueue.queueArn)).toBe(true);
    });

    it('does not let the processor write to the stream or read the archive', () => {
      const p = synthesized();
      const actions = statementsOf(p, p.stack.processor).map((s) => s.action);
      expect(actions).not.toContain('kinesis:PutRecord');
      expect(actions).not.toContain('kinesis:PutRecords');
      expect(actions.filter((a) => a.startsWith('s3:Get') || a.startsWith('s3:List'))).toEqual([]);
      expect(statementsOf(p, p.stack.processor).filter((s) => s.action === 's3:PutObject')).toHaveLength(2);
    });

    it('lets the processor delete only the archive objects it writes, and no object version', () => {
      const p = synthesized();
      const deletes = statementsOf(p, p.stack.processor).filter((s) => s.action.startsWith('s3:Delete'));
      expect(deletes).toHaveLength(2);
      expect(deletes).toEqual(
        expect.arrayContaining([
          { action: 's3:DeleteObject', resource: objectsArn(p, `${archive.rawPrefix}*`) },
          { action: 's3:DeleteObject', resource: objectsArn(p, `${archive.quarantinePrefix}*`) },
        ]),
      );
    });

    it('lets the api run single Data API statements as the read-only identity and nothing else', () => {
      const p = synthesized();
      const granted = statementsOf(p, p.stack.api);
      const readerSecretArn = p.stack.database.readerEnvironment[ENV.dbSecretArn];
      expect(allows(p, granted, 'rds-data:ExecuteStatement', clusterArn())).toBe(true);
      expect(allows(p, granted, 'secretsmanager:GetSecretValue', readerSecretArn)).toBe(true);
      // No transactions or batches; no other secret (the owner's) and no other service.
      expect(granted.filter((s) => s.action.startsWith('rds-data:')).map((s) => s.action)).toEqual([
        'rds-data:ExecuteStatement',
      ]);
      for (const statement of granted.filter((s) => s.action.startsWith('secretsmanager:'))) {
        expect(allows(p, [statement], statement.action, readerSecretArn)).toBe(true);
      }
      expect(readerSecretArn).not.toEqual(secretArn());
      const services = new Set(granted.map((s) => s.action.split(':')[0]));
      expect([...services].sort()).toEqual(['logs', 'rds-data', 'secretsmanager']);
    });

    it('lets the migrator call the Data API and nothing else', () => {
      const p = synthesized();
      const granted = statementsOf(p, p.stack.migrations.migrator);
      expect(allows(p, granted, 'rds-data:ExecuteStatement', clusterArn())).toBe(true);
      const services = new Set(granted.map((s) => s.action.split(':')[0]));
      expect([...services].sort()).toEqual(['logs', 'rds-data', 'secretsmanager']);
    });

    it('lets each function write only to its own log group', () => {
      const p = synthesized();
      for (const fn of [
        p.stack.producer,
        p.stack.processor,
        p.stack.api,
        p.stack.migrations.migrator,
        p.stack.batchLayer.function,
      ]) {
        const logs = statementsOf(p, fn).filter((s) => s.action.startsWith('logs:'));
        expect(logs.map((s) => s.action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        for (const statement of logs) {
          expect(allows(p, [statement], statement.action, fn.logGroup.logGroupArn)).toBe(true);
        }
      }
    });

    it('grants no "*" action and no "*" resource to any function', () => {
      const p = synthesized();
      for (const fn of [
        p.stack.producer,
        p.stack.processor,
        p.stack.api,
        p.stack.migrations.migrator,
        p.stack.batchLayer.function,
      ]) {
        for (const statement of statementsOf(p, fn)) {
          expect(statement.action).not.toBe('*');
          expect(statement.action).not.toMatch(/^[a-z0-9-]+:\*$/);
          expect(statement.resource).not.toBe('*');
        }
      }
    });
  });
}
