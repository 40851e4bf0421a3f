import { describe, expect, it } from 'vitest';
import { decodeCommitRecord } from '../../../../functions/shared/commit-record.js';
import {
  eventTimeOf,
  isoInstantOf,
  languageOf,
  moduleOf,
  windowStartMsOf,
} from '../../../../functions/shared/derived-fields.js';
import { commitRecord } from '../../../support/factories.js';

describe('derived fields', () => {
  it.each([
    ['/security/auth/utils/payment_60743.py', '/security/auth'],
    ['/core/api/server.go', '/core/api'],
    ['/core/server.go', '(none)'],
    ['server.go', '(none)'],
  ])('module of %s is %s', (path, module) => expect(moduleOf(path)).toBe(module));

  it.each([
    ['/a/b/train_1.PY', 'py'],
    ['/a/b/notebook.ipynb', 'ipynb'],
    ['/a/b/Makefile', '(none)'],
    ['/a/b/.bashrc', '(none)'],
    ['/a/b/archive.tar.gz', 'gz'],
  ])('language of %s is %s', (path, language) => expect(languageOf(path)).toBe(language));

  it('places event time on the log epoch and windows it', () => {
    expect(eventTimeOf(543)).toBe('2024-01-01T00:09:03.000Z');
    expect(windowStartMsOf('2024-01-01T00:09:03.000Z', 300)).toBe(Date.parse('2024-01-01T00:05:00.000Z'));
  });

  it('gives an instant the one text form of toISOString, whatever offset or precision it came in', () => {
    for (const text of ['2024-01-01T01:09:03+01:00', '2024-01-01T00:09:03Z', '2024-01-01T00:09:03.000000Z']) {
      expect(isoInstantOf(text)).toBe('2024-01-01T00:09:03.000Z');
    }
    expect(isoInstantOf('0001-06-30T23:59:59.999-00:30')).toBe(
      new Date('0001-06-30T23:59:59.999-00:30').toISOString(),
    );
  });
});

describe('the stream record schema', () => {
  it('accepts a record as the producer writes it', () => {
    const record = commitRecord();
    expect(decodeCommitRecord(JSON.stringify(record))).toEqual({ ok: true, record });
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['another version', JSON.stringify({ ...commitRecord(), v: 2 }), /^v:/],
    ['entropy out of range', JSON.stringify({ ...commitRecord(), entropy: 1.5 }), /^entropy:/],
    ['a negative line count', JSON.stringify({ ...commitRecord(), linesAdded: -1 }), /^linesAdded:/],
    ['a missing author', JSON.stringify({ ...commitRecord(), author: undefined }), /^author:/],
    ['a NUL character', JSON.stringify({ ...commitRecord(), message: 'a\u0000b' }), /^message:.*NUL/],
  ])('rejects %s with its reason', (_name, text, reason) => {
    const result = decodeCommitRecord(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });
});

describe('event times', () => {
  it('are the ISO 8601 form Date gives, for any offset of the log', () => {
    const epoch = Date.parse('2024-01-01T00:00:00Z');
    const offsets = [0, 1, 59, 3_599, 86_399, 86_400, 31_536_000, 250_000_000_000];
    for (let i = 0; i < 2_000; i += 1) offsets.push(Math.floor(Math.random() * 250_000_000_000));
    for (const time of offsets) expect(eventTimeOf(time)).toBe(new Date(epoch + time * 1000).toISOString());
  });
});
