/**
 * An independent computation of the aggregates, straight from a CSV file, for the integration
 * suite to compare the pipeline's results with. Deliberately shares no code with the pipeline:
 * its own parsing (csv-parse's sync API), field derivation, two-pass statistics and rounding.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export interface ExpectedGroup {
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  entropySum: number;
  maxEntropy: number;
  suspiciousCommits: number;
  firstEventTime: string;
  lastEventTime: string;
}

export interface ExpectedAggregates {
  summary: {
    commits: number;
    authors: number;
    linesAdded: number;
    linesDeleted: number;
    suspiciousCommits: number;
    avgEntropy: number;
  };
  authors: Map<string, ExpectedGroup>;
  modules: Map<string, ExpectedGroup>;
  languages: Map<string, ExpectedGroup>;
  suspicious: Array<{ commitId: string; reason: 'entropy' | 'author-outlier' }>;
  validRows: number;
  invalidRows: number;
}

const EPOCH_MS = Date.UTC(2024, 0, 1);

function moduleOfPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length >= 3 ? `/${parts[0]}/${parts[1]}` : '(none)';
}

function languageOfPath(path: string): string {
  const name = path.split('/').pop() ?? '';
  const match = /^.+\.([^.]+)$/.exec(name);
  return match?.[1] ? match[1].toLowerCase() : '(none)';
}

export interface ExpectationOptions {
  /**
   * Every record is one physical line (hostile files): each line is parsed on its own, so a malformed
   * one costs only itself, and a line over 65,536 characters is refused, as the producer does.
   */
  onePerLine?: boolean;
}

/**
 * @param csvPath - a CSV in the Infected Code schema; rows a strict reader would refuse are skipped
 * @param rules - the deployed thresholds
 * @param options - how to read the file
 */
export function expectedAggregates(
  csvPath: string,
  rules = { entropyThreshold: 0.8, outlierStdDevs: 3, outlierMinCommits: 20 },
  options: ExpectationOptions = {},
): ExpectedAggregates {
  const read = options.onePerLine ? readLineByLine(csvPath) : readWhole(csvPath);
  let invalidRows = read.invalid;
  const [header = [], ...rows] = read.records;
  const names = header.map((name) => name.trim().toLowerCase());
  const column = (fields: string[], name: string) => (fields[names.indexOf(name)] ?? '').trim();
  const authors = new Map<string, ExpectedGroup>();
  const modules = new Map<string, ExpectedGroup>();
  const languages = new Map<string, ExpectedGroup>();
  const history = new Map<string, number[]>();
  const suspicious: ExpectedAggregates['suspicious'] = [];
  const seen = new Set<string>();
  const maxTime = (Date.UTC(9999, 11, 31, 23, 59, 59) - EPOCH_MS) / 1000;

  for (const fields of rows) {
    const field = (name: string) => column(fields, name);
    const integer = (name: string) => (/^\d+$/.test(field(name)) ? Number(field(name)) : Number.NaN);
    const entropyText = field('entropy');
    const entropy = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(entropyText)
      ? Number(entropyText)
      : Number.NaN;
    const time = integer('time');
    const added = integer('lines_added');
    const deleted = integer('lines_deleted');
    const path = field('file_path');
    const valid =
      fields.length === 8 &&
      !fields.some((value) => value.includes('\0')) &&
      field('commit_id') !== '' &&
      field('author') !== '' &&
      time <= maxTime &&
      Number.isSafeInteger(added) &&
      Number.isSafeInteger(deleted) &&
      entropy >= 0 &&
      entropy <= 1 &&
      // What the backends hold: partition keys of 256 characters, integer columns, index rows.
      field('commit_id').length <= 256 &&
      field('author').length <= 256 &&
      path.length <= 4096 &&
      moduleOfPath(path).length <= 512 &&
      languageOfPath(path).length <= 64 &&
      added <= 2_147_483_647 &&
      deleted <= 2_147_483_647;
    if (!valid) {
      invalidRows += 1;
      continue;
    }
    const commitId = field('commit_id');
    if (seen.has(commitId)) continue;
    seen.add(commitId);
    const author = field('author');

    // Two-pass mean and sample deviation over the author's earlier commits.
    const earlier = history.get(author) ?? [];
    const reasons: Array<'entropy' | 'author-outlier'> = [];
    if (entropy >= rules.entropyThreshold) reasons.push('entropy');
    if (earlier.length >= rules.outlierMinCommits) {
      const mean = earlier.reduce((a, b) => a + b, 0) / earlier.length;
      const sd = Math.sqrt(
        earlier.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (earlier.length - 1),
      );
      if (sd > 0 && entropy > mean + rules.outlierStdDevs * sd) reasons.push('author-outlier');
    }
    earlier.push(entropy);
    history.set(author, earlier);
    for (const reason of reasons) suspicious.push({ commitId, reason });

    const eventTime = new Date(EPOCH_MS + time * 1000).toISOString();
    for (const [groups, key] of [
      [authors, author],
      [modules, moduleOfPath(path)],
      [languages, languageOfPath(path)],
    ] as const) {
      const group = groups.get(key) ?? {
        commits: 0,
        linesAdded: 0,
        linesDeleted: 0,
        entropySum: 0,
        maxEntropy: 0,
        suspiciousCommits: 0,
        firstEventTime: eventTime,
        lastEventTime: eventTime,
      };
      group.commits += 1;
      group.linesAdded += added;
      group.linesDeleted += deleted;
      group.entropySum += entropy;
      group.maxEntropy = Math.max(group.maxEntropy, entropy);
      if (reasons.length > 0) group.suspiciousCommits += 1;
      if (eventTime < group.firstEventTime) group.firstEventTime = eventTime;
      if (eventTime > group.lastEventTime) group.lastEventTime = eventTime;
      groups.set(key, group);
    }
  }

  const all = [...authors.values()];
  const commits = all.reduce((n, g) => n + g.commits, 0);
  return {
    summary: {
      commits,
      authors: authors.size,
      linesAdded: all.reduce((n, g) => n + g.linesAdded, 0),
      linesDeleted: all.reduce((n, g) => n + g.linesDeleted, 0),
      suspiciousCommits: all.reduce((n, g) => n + g.suspiciousCommits, 0),
      avgEntropy: all.reduce((n, g) => n + g.entropySum, 0) / commits,
    },
    authors,
    modules,
    languages,
    suspicious,
    validRows: seen.size,
    invalidRows,
  };
}

function readWhole(csvPath: string): { records: string[][]; invalid: number } {
  let invalid = 0;
  const records = parse(readFileSync(csvPath), {
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: () => {
      invalid += 1;
      return undefined;
    },
  }) as string[][];
  return { records, invalid };
}

function readLineByLine(csvPath: string): { records: string[][]; invalid: number } {
  let invalid = 0;
  const records: string[][] = [];
  const text = readFileSync(csvPath, 'utf8').replace(/^\ufeff/, '');
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line.length > 65_536) {
      invalid += 1;
      continue;
    }
    try {
      const [record] = parse(line, { relax_column_count: true }) as string[][];
      records.push(record ?? []);
    } catch {
      invalid += 1;
    }
  }
  return { records, invalid };
}
