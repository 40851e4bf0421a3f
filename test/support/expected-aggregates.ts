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
   * one costs only itself, and a line over 65,536 characters is refused, as the producer does. A line
   * whose bytes are not valid in the encoding is invalid.
   */
  onePerLine?: boolean;
  /** The file's encoding. @default 'utf-8' */
  encoding?: 'utf-8' | 'latin1' | 'windows-1252';
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
  const encoding = options.encoding ?? 'utf-8';
  const read = options.onePerLine ? readLineByLine(csvPath, encoding) : readWhole(csvPath, encoding);
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

function readWhole(csvPath: string, encoding: Encoding): { records: string[][]; invalid: number } {
  let invalid = 0;
  const records = parse(decode(readFileSync(csvPath), encoding), {
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

function readLineByLine(csvPath: string, encoding: Encoding): { records: string[][]; invalid: number } {
  let invalid = 0;
  const records: string[][] = [];
  const bytes = readFileSync(csvPath);
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    const first = start === 0;
    const lineBytes = bytes.subarray(start, end);
    start = end + 1;
    let text: string;
    try {
      text = decode(lineBytes, encoding);
      if (first) text = text.replace(/^\ufeff/, '');
    } catch {
      invalid += 1;
      continue;
    }
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
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

type Encoding = NonNullable<ExpectationOptions['encoding']>;

/** The 32 characters Windows-1252 puts at 0x80–0x9F (undefined ones as the C1 control of the same value). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

/** Strict decoding: UTF-8 throws on bytes that are not UTF-8; the single-byte encodings map every byte. */
function decode(bytes: Uint8Array, encoding: Encoding): string {
  if (encoding === 'utf-8') return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  let text = '';
  for (const byte of bytes) {
    const high = encoding === 'windows-1252' && byte >= 0x80 && byte <= 0x9f;
    text += String.fromCharCode(high ? (CP1252_HIGH[byte - 0x80] ?? byte) : byte);
  }
  return text;
}
