import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { languageOf, moduleOf } from '../../../../functions/shared/derived-fields.js';
import { UsageError } from '../../../../functions/shared/errors.js';
import { settings } from '../../../../functions/shared/settings.js';
import { parseCommandLine } from '../../../../scripts/cli/command-line.js';
import { GENERATE_SAMPLE_COMMAND, sampleOptionsOf } from '../../../../scripts/sample/cli-options.js';
import { CSV_HEADER, csvChunks, csvField, formatEntropy } from '../../../../scripts/sample/csv-writer.js';
import {
  type CommitRow,
  DEFAULT_SEED,
  generateCommits,
  REFERENCE_ROWS,
} from '../../../../scripts/sample/sample-generator.js';

const generate = (rows: number, seed = DEFAULT_SEED): CommitRow[] => [...generateCommits({ rows, seed })];
const toCsv = (rows: Iterable<CommitRow>): string => [...csvChunks(rows)].join('');

const mean = (values: readonly number[]): number => values.reduce((sum, x) => sum + x, 0) / values.length;
const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(p * sorted.length) - 1] ?? Number.NaN;
};
const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
};
const authorNumber = (author: string): number => Number(author.slice('person_'.length));

/** Commits flagged by the author-outlier rule: entropy above mean + k·σ of the author's earlier commits. */
function authorOutliers(rows: readonly CommitRow[]): CommitRow[] {
  const { outlierMinCommits, outlierStdDevs } = settings.analytics;
  const flagged: CommitRow[] = [];
  for (const commits of groupBy(rows, (r) => r.author).values()) {
    let n = 0;
    let m = 0;
    let m2 = 0;
    for (const commit of commits) {
      if (n >= outlierMinCommits && commit.entropy > m + outlierStdDevs * Math.sqrt(m2 / n))
        flagged.push(commit);
      n += 1;
      const delta = commit.entropy - m;
      m += delta / n;
      m2 += delta * (commit.entropy - m);
    }
  }
  return flagged;
}

// Prepare: one sample of the reference size, shared by the statistical checks.
const sample = generate(REFERENCE_ROWS);
const byAuthor = groupBy(sample, (r) => r.author);
const entropies = sample.map((r) => r.entropy);

describe('generateCommits', () => {
  it('gives byte-identical CSV for the same seed and row count', () => {
    expect(toCsv(generateCommits({ rows: REFERENCE_ROWS, seed: DEFAULT_SEED }))).toBe(toCsv(sample));
  });

  it('gives different rows for a different seed', () => {
    const other = generate(REFERENCE_ROWS, DEFAULT_SEED + 1);
    expect(toCsv(other)).not.toBe(toCsv(sample));
  });

  it('yields exactly the requested number of rows', () => {
    expect(sample).toHaveLength(REFERENCE_ROWS);
    expect(generate(0)).toHaveLength(0);
    expect(generate(37)).toHaveLength(37);
  });

  it('numbers commits c_0000001 upward in row order with unique ids', () => {
    expect(sample[0]?.commitId).toBe('c_0000001');
    expect(sample.at(-1)?.commitId).toBe('c_0020000');
    const misnumbered = sample.findIndex((row, i) => row.commitId !== `c_${String(i + 1).padStart(7, '0')}`);
    expect(misnumbered).toBe(-1);
    expect(new Set(sample.map((r) => r.commitId)).size).toBe(sample.length);
  });

  it('widens commit ids when the row count needs more than 7 digits', () => {
    // The generator is lazy: the first row of a 10-million-row sample costs nothing.
    const first = generateCommits({ rows: 10_000_000, seed: DEFAULT_SEED }).next().value;
    expect(first?.commitId).toBe('c_00000001');
  });

  it('sorts rows by author number, then by ascending time', () => {
    const outOfOrder = sample.findIndex((current, i) => {
      const previous = sample[i - 1];
      if (previous === undefined) return false;
      const authorOrder = authorNumber(current.author) - authorNumber(previous.author);
      return authorOrder < 0 || (authorOrder === 0 && current.time < previous.time);
    });
    expect(outOfOrder).toBe(-1);
  });

  it('spreads 104 authors unevenly, 62 to 410 commits each, at 20,000 rows', () => {
    const counts = [...byAuthor.values()].map((commits) => commits.length);
    expect([...byAuthor.keys()].sort((a, b) => authorNumber(a) - authorNumber(b))).toEqual(
      Array.from({ length: 104 }, (_, i) => `person_${i + 1}`),
    );
    expect(Math.min(...counts)).toBe(62);
    expect(Math.max(...counts)).toBe(410);
  });

  it('scales author volumes with the row count and gives every author a commit from 104 rows up', () => {
    const counts = (rows: number): number[] =>
      [...groupBy(generate(rows), (r) => r.author).values()].map((c) => c.length);
    expect(counts(104)).toEqual(Array.from({ length: 104 }, () => 1));
    const doubled = counts(2 * REFERENCE_ROWS);
    expect(Math.min(...doubled)).toBe(124);
    expect(Math.max(...doubled)).toBe(820);
  });

  it('keeps times in a twelve-hour log of whole seconds', () => {
    const times = sample.map((r) => r.time);
    expect(times.every(Number.isInteger)).toBe(true);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(0);
    expect(Math.min(...times)).toBeLessThan(600);
    expect(Math.max(...times)).toBeLessThanOrEqual(12 * 3600);
    expect(Math.max(...times)).toBeGreaterThan(12 * 3600 - 600);
  });

  it('writes absolute file paths in exactly 13 two-segment modules', () => {
    expect(sample.every((r) => /^\/[a-z]+\/[a-z]+\/(?:[a-z]+\/)?[a-z]+_\d+\.[a-z]+$/.test(r.filePath))).toBe(
      true,
    );
    expect(new Set(sample.map((r) => moduleOf(r.filePath))).size).toBe(13);
  });

  it('makes about a third of the files Python, the rest 11 other languages', () => {
    const languages = groupBy(sample, (r) => languageOf(r.filePath));
    expect([...languages.keys()].sort()).toEqual(
      ['c', 'go', 'groovy', 'ipynb', 'js', 'py', 'rs', 'sh', 'sql', 'ts', 'tsx', 'yaml'].sort(),
    );
    const pythonShare = (languages.get('py')?.length ?? 0) / sample.length;
    expect(pythonShare).toBeGreaterThan(0.31);
    expect(pythonShare).toBeLessThan(0.35);
  });

  it('draws lines added in 0…64 with mean about 17.9 and lines deleted in 0…34 with mean about 10.5', () => {
    const added = sample.map((r) => r.linesAdded);
    const deleted = sample.map((r) => r.linesDeleted);
    expect([Math.min(...added), Math.max(...added)]).toEqual([0, 64]);
    expect([Math.min(...deleted), Math.max(...deleted)]).toEqual([0, 34]);
    expect(mean(added)).toBeCloseTo(17.9, 0);
    expect(mean(deleted)).toBeCloseTo(10.5, 0);
  });

  it('keeps entropy in [0.01, 1] with at most 4 decimals, sometimes exactly 1', () => {
    expect(entropies.every((e) => e >= 0.01 && e <= 1 && Math.round(e * 10_000) / 10_000 === e)).toBe(true);
    expect(entropies).toContain(1);
  });

  it('matches the published entropy distribution: mean 0.405, p90 0.597, p99 0.803', () => {
    expect(Math.abs(mean(entropies) - 0.405)).toBeLessThan(0.015);
    expect(Math.abs(percentile(entropies, 0.9) - 0.597)).toBeLessThan(0.02);
    expect(Math.abs(percentile(entropies, 0.99) - 0.803)).toBeLessThan(0.04);
  });

  it('puts between 0.5% and 2% of commits at or above the entropy threshold', () => {
    const share = entropies.filter((e) => e >= settings.analytics.entropyThreshold).length / entropies.length;
    expect(share).toBeGreaterThan(0.005);
    expect(share).toBeLessThan(0.02);
  });

  it('gives authors typical entropies from about 0.09 to about 0.67, a few of them high', () => {
    const means = [...byAuthor.values()].map((commits) => mean(commits.map((c) => c.entropy)));
    expect(Math.min(...means)).toBeGreaterThan(0.06);
    expect(Math.min(...means)).toBeLessThan(0.13);
    expect(Math.max(...means)).toBeGreaterThan(0.62);
    expect(Math.max(...means)).toBeLessThan(0.7);
    const high = means.filter((m) => m > 0.55).length;
    expect(high).toBeGreaterThanOrEqual(2);
    expect(high).toBeLessThanOrEqual(8);
  });

  it('hides outliers in most authors’ histories for the author-outlier rule to find', () => {
    const flagged = authorOutliers(sample);
    expect(flagged.length).toBeGreaterThan(100);
    expect(new Set(flagged.map((r) => r.author)).size).toBeGreaterThan(52);
  });

  it('uses about 204 distinct messages, some of which need CSV quoting', () => {
    const messages = new Set(sample.map((r) => r.message));
    expect(messages.size).toBe(204);
    expect(messages).toContain('refactor client');
    expect(messages).toContain('ci: tweak pipeline');
    expect(messages).toContain('adjust metrics for parser (claims)');
    expect(messages).toContain('address review comments in client');
    expect(messages).toContain('fix parser, add tests');
    expect([...messages].some((m) => m.includes('"'))).toBe(true);
  });
});

describe('CSV writer', () => {
  it('starts with the Infected Code header and ends every line with \\n', () => {
    const csv = toCsv(generate(50));
    expect(
      csv.startsWith('commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message\n'),
    ).toBe(true);
    expect(csv.endsWith('\n')).toBe(true);
    expect(csv).not.toContain('\r');
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('writes only the header for zero rows', () => {
    expect(toCsv([])).toBe(CSV_HEADER);
  });

  it('round-trips every field, quoted ones included, through an RFC 4180 parser', () => {
    const csv = toCsv(sample);
    expect(csv).toContain('"fix parser, add tests"');
    const records: string[][] = parse(csv, { from_line: 2 });
    expect(records).toEqual(
      sample.map((r) => [
        r.commitId,
        r.author,
        String(r.time),
        r.filePath,
        String(r.linesAdded),
        String(r.linesDeleted),
        formatEntropy(r.entropy),
        r.message,
      ]),
    );
    expect(records.map((record) => Number(record[6]))).toEqual(entropies);
  });

  it('quotes a field only when it holds a comma, a double quote or a line break', () => {
    expect(csvField('refactor client')).toBe('refactor client');
    expect(csvField('fix parser, add tests')).toBe('"fix parser, add tests"');
    expect(csvField('revert "refactor cache"')).toBe('"revert ""refactor cache"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes entropy like the published file: 1.0 for one, no trailing zeros', () => {
    expect(formatEntropy(1)).toBe('1.0');
    expect(formatEntropy(0.5674)).toBe('0.5674');
    expect(formatEntropy(0.35)).toBe('0.35');
    expect(formatEntropy(0.01)).toBe('0.01');
  });
});

describe('generate-sample command line', () => {
  const parseCliOptions = (args: string[]) => {
    const commandLine = parseCommandLine(GENERATE_SAMPLE_COMMAND, args);
    if (commandLine === 'help') throw new Error('--help is not an option set');
    return sampleOptionsOf(commandLine.values);
  };

  it('defaults to the committed sample', () => {
    expect(parseCliOptions([])).toEqual({
      rows: REFERENCE_ROWS,
      seed: DEFAULT_SEED,
      out: 'data/infected_code_sample.csv',
    });
  });

  it('accepts rows with digit separators, a seed and an output path', () => {
    expect(parseCliOptions(['--rows', '1_000_000', '--seed', '7', '--out', '/tmp/big.csv'])).toMatchObject({
      rows: 1_000_000,
      seed: 7,
      out: '/tmp/big.csv',
    });
  });

  it.each([
    [['--rows', 'many']],
    [['--rows', '-5']],
    [['--rows']],
    [['--seed', '4294967296']],
    [['--colour']],
    [['stray']],
    [['--out', '']],
  ])('rejects %j with a usage error', (args) => {
    expect(() => parseCliOptions(args)).toThrow(UsageError);
  });
});
