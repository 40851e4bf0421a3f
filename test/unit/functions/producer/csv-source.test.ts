import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  bundledSamplePath,
  csvSourceSchema,
  fileSourceName,
  openCsvSource,
} from '../../../../functions/producer/csv-source.js';

// Never called: a file source reads no S3.
const s3 = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });

describe("the producer's CSV source", () => {
  it('is an S3 object or an absolute file path', () => {
    expect(csvSourceSchema.parse({ bucket: 'b', key: 'sources/a.csv' })).toEqual({
      bucket: 'b',
      key: 'sources/a.csv',
    });
    expect(csvSourceSchema.parse({ file: '/data/a.csv' })).toEqual({ file: '/data/a.csv' });
  });

  it('refuses a relative path, naming it', () => {
    const parsed = csvSourceSchema.safeParse({ file: 'data/a.csv' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('data/a.csv is not an absolute path');
  });

  it('refuses a source that is both, or neither', () => {
    expect(csvSourceSchema.safeParse({ bucket: 'b', key: 'k', file: '/a.csv' }).success).toBe(false);
    expect(csvSourceSchema.safeParse({ path: '/a.csv' }).success).toBe(false);
  });

  it('fails on a missing file with a message naming the path', () => {
    expect(() => openCsvSource({ file: '/no/such/file.csv' }, s3)).toThrow('/no/such/file.csv: no such file');
  });

  it('reads a file and counts the bytes read', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'csv-source-')), 'log.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    const opened = openCsvSource({ file: path }, s3);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.input) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('a,b\n1,2\n');
    expect(opened.bytesRead?.()).toBe(8);
    expect(opened.name).toBe(fileSourceName(path));
  });

  it('is the bundled sample when absent, named like any file source', () => {
    const opened = openCsvSource(undefined, s3);
    opened.input.destroy();
    expect(opened.name).toBe(fileSourceName(bundledSamplePath()));
    expect(opened.name).toMatch(/^file\/infected_code_sample\.csv\.[0-9a-f]{12}$/);
  });

  it('names a file by its base name and path: a rerun finds its lists, a namesake elsewhere does not', () => {
    expect(fileSourceName('/a/log.csv')).toBe(fileSourceName('/a/log.csv'));
    expect(fileSourceName('/a/log.csv')).not.toBe(fileSourceName('/b/log.csv'));
    expect(fileSourceName('/a/log.csv')).toMatch(/^file\/log\.csv\.[0-9a-f]{12}$/);
  });
});
