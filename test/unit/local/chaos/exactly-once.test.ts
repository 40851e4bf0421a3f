import { describe, expect, it } from 'vitest';
import { type ExactlyOnceCounts, exactlyOnceStatement } from '../../../../local/chaos/exactly-once.js';

const clean: ExactlyOnceCounts = {
  file: { valid: 100, sent: 100, failed: 0 },
  arrivals: 130,
  distinctCommits: 100,
  counted: 100,
  archived: 130,
  deadLetters: 0,
  deadLetteredRecords: 0,
};

describe('exactlyOnceStatement', () => {
  it('says exactly once in one line, naming the arrivals sent twice', () => {
    expect(exactlyOnceStatement(clean)).toEqual({
      ok: true,
      lines: [
        'exactly once: every commit counted once — 100 valid commits in the file, 100 counted in the ' +
          'serving tables; 130 records in raw/ for 130 arrivals (30 sent twice after a lost answer, counted once); 0 dead letters',
      ],
    });
  });

  it.each<[string, Partial<ExactlyOnceCounts>, string]>([
    [
      'a commit counted twice',
      { counted: 101 },
      'the serving tables count 101 commits, the stream holds 100',
    ],
    ['a commit not counted', { counted: 99 }, 'the serving tables count 99 commits'],
    ['an arrival archived twice', { archived: 131 }, 'raw/ holds 131 records, the stream 130 arrivals'],
    [
      'rows never sent',
      { file: { valid: 100, sent: 98, failed: 2 } },
      '2 valid commits of the file were never sent',
    ],
    [
      'dead letters',
      { deadLetters: 2, deadLetteredRecords: 128 },
      '2 batches (128 stream records) went to the dead letters after their retries: npm run redrive',
    ],
  ])('names what is off: %s', (_name, change, problem) => {
    const statement = exactlyOnceStatement({ ...clean, ...change });
    expect(statement.ok).toBe(false);
    expect(statement.lines[0]).toMatch(/^NOT exactly once — /);
    expect(statement.lines.slice(1).join('\n')).toContain(problem);
  });

  it('leaves the file out when this run replayed none', () => {
    const { file: _file, ...withoutFile } = clean;
    expect(exactlyOnceStatement(withoutFile).lines[0]).toContain('once — 100 counted in the serving tables');
  });
});
