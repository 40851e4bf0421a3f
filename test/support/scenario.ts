/**
 * Scenarios for the fault-injection suites: a slice of the bundled sample under names of its own (so
 * scenarios sharing one runtime never touch each other's groups), the commit records a producer would
 * put for it, and the end-state check against the independent expectation computed from its CSV.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import type { CommitRecord } from '../../functions/shared/commit-record.js';
import { archivedLines } from './archive-reader.js';
import { type ExpectedAggregates, expectedAggregates } from './expected-aggregates.js';
import type { TestRuntime } from './test-runtime.js';

export interface Scenario {
  name: string;
  csvPath: string;
  /** In file order: per author ascending time, as a producer sends them. */
  records: CommitRecord[];
  expected: ExpectedAggregates;
  /** The fake shard the scenario's batches come from, so its archive objects are its own. */
  shardId: string;
}

const HEADER = 'commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message';
const EPOCH_MS = Date.UTC(2024, 0, 1);
let sample: string[][] | undefined;

export interface ScenarioOptions {
  /**
   * Splits each author into authors of this many commits (`<name>:<author>#<n>`). Below
   * `analytics.outlierMinCommits` no author-outlier rule applies, so the aggregates do not depend on the
   * order commits arrive in (a row that failed and was sent again later lands after its successors).
   */
  commitsPerAuthor?: number;
}

/**
 * The sample's rows of the given authors, renamed `<name>:<author>` and `<name>:<commit id>`.
 *
 * @param name - unique per scenario (letters, digits, dashes)
 * @param authors - e.g. `['person_1', 'person_2']`
 * @param dir - where the scenario's CSV is written
 * @param options - how the authors are named
 */
export function sampleScenario(
  name: string,
  authors: readonly string[],
  dir: string,
  options: ScenarioOptions = {},
): Scenario {
  sample ??= (parse(readFileSync(bundledSamplePath()), { bom: true }) as string[][]).slice(1);
  const seen = new Map<string, number>();
  const authorOf = (author: string) => {
    const index = seen.get(author) ?? 0;
    seen.set(author, index + 1);
    const split = options.commitsPerAuthor ? `#${Math.floor(index / options.commitsPerAuthor)}` : '';
    return `${name}:${author}${split}`;
  };
  const rows = sample
    .filter((row) => authors.includes(row[1] ?? ''))
    .map((row) => [`${name}:${row[0]}`, authorOf(row[1] ?? ''), ...row.slice(2)]);
  return scenarioOf(name, rows, join(dir, `${name}.csv`));
}

/**
 * The scenario without some of its commits (those the producer kept as rejected, say): its own CSV,
 * records and expectation.
 *
 * @param scenario - from {@link sampleScenario}
 * @param commitIds - the commits to leave out
 * @param dir - where the smaller CSV is written
 */
export function scenarioWithout(scenario: Scenario, commitIds: ReadonlySet<string>, dir: string): Scenario {
  const rows = (parse(readFileSync(scenario.csvPath)) as string[][])
    .slice(1)
    .filter((row) => !commitIds.has(row[0] ?? ''));
  return scenarioOf(scenario.name, rows, join(dir, `${scenario.name}-without-${commitIds.size}.csv`));
}

function scenarioOf(name: string, rows: string[][], csvPath: string): Scenario {
  writeFileSync(csvPath, `${HEADER}\n${rows.map((row) => row.map(csvField).join(',')).join('\n')}\n`);
  const records = rows.map(
    ([
      commitId = '',
      author = '',
      time = '0',
      filePath = '',
      added = '0',
      deleted = '0',
      entropy = '0',
      message = '',
    ]) => ({
      v: 1 as const,
      commitId,
      author,
      time: Number(time),
      eventTime: new Date(EPOCH_MS + Number(time) * 1000).toISOString(),
      filePath,
      linesAdded: Number(added),
      linesDeleted: Number(deleted),
      entropy: Number(entropy),
      message,
      ingestedAt: '2026-01-01T00:00:00.000Z',
    }),
  );
  return {
    name,
    csvPath,
    records,
    expected: expectedAggregates(csvPath),
    shardId: `shardId-${name}`,
  };
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

interface AuthorItem {
  author: string;
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  maxEntropy: number;
  suspiciousCommits: number;
  avgEntropy: number;
}

/**
 * The API's view of the scenario's authors equals the independent expectation: every author's totals,
 * and every suspicious commit with its reason.
 */
export async function expectScenarioAggregates(
  runtime: TestRuntime,
  scenario: Pick<Scenario, 'expected'>,
): Promise<void> {
  for (const [author, group] of scenario.expected.authors) {
    const { status, body } = await runtime.get<AuthorItem>(`stats/authors/${encodeURIComponent(author)}`);
    expect(status, author).toBe(200);
    expect(body, author).toMatchObject({
      commits: group.commits,
      linesAdded: group.linesAdded,
      linesDeleted: group.linesDeleted,
      maxEntropy: group.maxEntropy,
      suspiciousCommits: group.suspiciousCommits,
    });
    expect(body.avgEntropy).toBeCloseTo(group.entropySum / group.commits, 9);
  }
  const flagged: string[] = [];
  for (const author of scenario.expected.authors.keys()) {
    const { body } = await runtime.get<{ items: Array<{ commitId: string; reason: string }> }>(
      `commits/suspicious?author=${encodeURIComponent(author)}&limit=1000`,
    );
    flagged.push(...body.items.map((item) => `${item.commitId} ${item.reason}`));
  }
  expect(flagged.sort()).toEqual(scenario.expected.suspicious.map((s) => `${s.commitId} ${s.reason}`).sort());
}

/** The commit ids archived under `raw/` for the scenario's shard, one entry per archived record. */
export async function rawCommitIds(runtime: TestRuntime, scenario: Scenario): Promise<string[]> {
  const lines = await archivedLines<{ commitId: string }>(
    runtime.s3,
    runtime.bucketName,
    'raw/',
    `/${scenario.shardId}/`,
  );
  return lines.map((line) => line.commitId);
}

/** Every record of the scenario is in `raw/` exactly once (one arrival each). */
export async function expectArchivedOnce(runtime: TestRuntime, scenario: Scenario): Promise<void> {
  const archived = await rawCommitIds(runtime, scenario);
  expect(archived.length).toBe(scenario.records.length);
  expect([...archived].sort()).toEqual(scenario.records.map((record) => record.commitId).sort());
}
