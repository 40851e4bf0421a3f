/**
 * The read API end to end: a small, hand-shaped CSV is replayed through the embedded runtime
 * (producer → Kinesis emulator → processor → PostgreSQL via the Data API server), then every route
 * is called over real HTTP against the API front and compared with `expectedAggregates`, an
 * independent computation from the same CSV. The timeline and the suspicious commits' details are
 * derived here from the fixture's own rows, never from the code under test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../functions/api/dashboard/build.js';
import type {
  ApiGroupPage,
  ErrorBody,
  GroupItem,
  Summary,
  SuspiciousCommit,
  TimelineWindow,
} from '../../functions/api/read-model.js';
import { settings } from '../../functions/shared/settings.js';
import type { Dimension } from '../../functions/shared/vocabulary.js';
import { seededRandom } from '../../local/chaos/seeded-random.js';
import { type ExpectedGroup, expectedAggregates } from '../support/expected-aggregates.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// ---------------------------------------------------------------------------------------------------
// The fixture: ~300 rows, 7 authors, 5 modules, 8 languages, generated from a fixed seed.
// ---------------------------------------------------------------------------------------------------

interface FixtureCommit {
  commitId: string;
  author: string;
  time: number;
  filePath: string;
  linesAdded: number;
  linesDeleted: number;
  entropyText: string;
  message: string;
}

const PERSON_1 = 'person_1';
/** Needs percent-encoding in a path: a space and a slash. */
const SLASHED = 'person 7/x';
/** Needs percent-encoding as UTF-8, and sorts after every ASCII name in byte order. */
const UNICODE = 'ünïcode';
/** `Zed` and `alice` have identical numbers, so every sort ties them; byte order puts `Zed` first. */
const ZED = 'Zed';
const ALICE = 'alice';
/** Constant entropy: a zero deviation never makes an outlier. */
const BOB = 'bob';
const PERSON_2 = 'person_2';

/** Two flagged commits at the same instant; byte order of their ids (`X` < `a`) decides their order. */
const TIE_TIME = 5_000;
const TIE_IDS = { [PERSON_1]: 'X_tie', [SLASHED]: 'a_tie' } as const;

const PATHS = [
  '/security/auth/login_#.py',
  '/security/auth/utils/token_#.go',
  '/core/api/server_#.go',
  '/core/api/Handler_#.GO',
  '/core/api/.env',
  '/frontend/admin/view_#.js',
  '/frontend/admin/components/table_#.ts',
  '/frontend/admin/dist/bundle_#.tar.gz',
  '/infra/deploy/pkg/deploy_#.groovy',
  'README',
  'Makefile',
  '/docs/guide_#.md',
  'setup_#.py',
];

const MESSAGES = [
  'refactor client',
  'fix: handle "quoted", comma-separated input',
  'release: v1.2.0',
  'chore',
];

/** Entropy of an author's `index`-th commit (0-based, in CSV order). */
type EntropyPlan = (index: number, random: () => number) => number;

const PLANS: ReadonlyArray<{ author: string; commits: number; entropy: EntropyPlan }> = [
  {
    author: PERSON_1,
    commits: 70,
    // A calm baseline around 0.31; a spike before the 20th commit (too early to count as an outlier),
    // a clear outlier below the entropy threshold after it, and later one that breaks both rules.
    entropy: (i, random) => (i === 9 ? 0.75 : i === 25 ? 0.72 : i === 44 ? 0.95 : 0.28 + random() * 0.06),
  },
  { author: SLASHED, commits: 55, entropy: (i, random) => (i === 30 ? 0.97 : 0.05 + random() * 0.9) },
  { author: UNICODE, commits: 40, entropy: (_, random) => 0.3 + random() * 0.69 },
  { author: ZED, commits: 30, entropy: (_, random) => 0.2 + random() * 0.7 },
  { author: BOB, commits: 25, entropy: (i) => (i === 21 ? 0.6 : 0.5) },
  { author: PERSON_2, commits: 40, entropy: (_, random) => 0.6 + random() * 0.3 },
];

const INVALID_ROWS = [
  'c_bad_1,,100,/core/api/x.go,1,1,0.5,missing author',
  'c_bad_2,person_1,abc,/core/api/x.go,1,1,0.5,time is not a number',
  'c_bad_3,person_1,100,/core/api/x.go,1,1,1.5,entropy above 1',
  'c_bad_4,person_1,100,/core/api/x.go,-3,1,0.5,negative lines',
  'c_bad_5,person_1,100,/core/api/x.go,1,1',
];

function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvLine(commit: FixtureCommit): string {
  return [
    commit.commitId,
    commit.author,
    String(commit.time),
    commit.filePath,
    String(commit.linesAdded),
    String(commit.linesDeleted),
    commit.entropyText,
    commit.message,
  ]
    .map(csvField)
    .join(',');
}

/** The fixture's valid commits (unique ids, CSV order) and the CSV text that holds them. */
function buildFixture(): { commits: FixtureCommit[]; csv: string } {
  const random = seededRandom(20_240_101);
  const integer = (below: number) => Math.floor(random() * below);
  // Two hours of event time with no commit in [3000 s, 3600 s): those windows must be absent.
  const time = () => {
    const t = integer(6_600);
    return t >= 3_000 ? t + 600 : t;
  };
  const draft = (author: string, entropy: number): Omit<FixtureCommit, 'commitId'> => ({
    author,
    time: time(),
    filePath: (PATHS[integer(PATHS.length)] ?? 'README').replace('#', String(integer(100_000))),
    linesAdded: integer(200),
    linesDeleted: integer(100),
    entropyText: Math.min(1, Math.max(0, entropy)).toFixed(4),
    message: MESSAGES[integer(MESSAGES.length)] ?? '',
  });

  const queues = new Map<string, Array<Omit<FixtureCommit, 'commitId'> & { id?: string }>>();
  for (const plan of PLANS) {
    const queue = Array.from({ length: plan.commits }, (_, i) => draft(plan.author, plan.entropy(i, random)));
    queues.set(plan.author, queue);
    if (plan.author === ZED) {
      // alice mirrors Zed's numbers exactly (entropies and lines), in her own files and times.
      queues.set(
        ALICE,
        queue.map((commit) => ({
          ...draft(ALICE, 0),
          entropyText: commit.entropyText,
          ...lineCounts(commit),
        })),
      );
    }
  }
  const person1 = queues.get(PERSON_1)?.[44];
  const slashed = queues.get(SLASHED)?.[30];
  if (!person1 || !slashed) throw new Error('fixture plan changed');
  Object.assign(person1, { time: TIE_TIME, id: TIE_IDS[PERSON_1] });
  Object.assign(slashed, { time: TIE_TIME, id: TIE_IDS[SLASHED] });

  // Interleave the authors at random, keeping each author's own order.
  const commits: FixtureCommit[] = [];
  for (;;) {
    const pending = [...queues.values()].filter((queue) => queue.length > 0);
    if (pending.length === 0) break;
    const next = pending[integer(pending.length)]?.shift();
    if (!next) break;
    const { id, ...rest } = next;
    commits.push({ commitId: id ?? `c_${String(commits.length + 1).padStart(5, '0')}`, ...rest });
  }

  const rows = commits.map(csvLine);
  // The invalid rows are spread through the file, and one valid row is replayed again later.
  INVALID_ROWS.forEach((row, i) => {
    rows.splice(20 + i * 55, 0, row);
  });
  rows.splice(150, 0, rows[4] ?? '');
  const header = 'commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message';
  return { commits, csv: `${[header, ...rows].join('\n')}\n` };
}

function lineCounts(commit: Pick<FixtureCommit, 'linesAdded' | 'linesDeleted'>) {
  return { linesAdded: commit.linesAdded, linesDeleted: commit.linesDeleted };
}

// ---------------------------------------------------------------------------------------------------
// Independent expectations derived from the fixture.
// ---------------------------------------------------------------------------------------------------

const LOG_EPOCH_MS = Date.parse(settings.analytics.logEpoch);
const WINDOW_SECONDS = settings.analytics.windowSeconds;
const { defaultPageSize, maxPageSize } = settings.api;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const eventTimeOf = (commit: FixtureCommit) => new Date(LOG_EPOCH_MS + commit.time * 1000).toISOString();
const windowStartOf = (commit: FixtureCommit) => {
  const windowMs = WINDOW_SECONDS * 1000;
  return new Date(LOG_EPOCH_MS + Math.floor((commit.time * 1000) / windowMs) * windowMs).toISOString();
};

/** Byte order of the UTF-8 encodings, as PostgreSQL's `COLLATE "C"` compares. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const SORTS = ['commits', 'churn', 'avgEntropy', 'suspicious'] as const;
const ORDERS = ['asc', 'desc'] as const;
type Sort = (typeof SORTS)[number];
type Order = (typeof ORDERS)[number];

function sortValue(group: ExpectedGroup, sort: Sort): number {
  switch (sort) {
    case 'commits':
      return group.commits;
    case 'churn':
      return group.linesAdded + group.linesDeleted;
    case 'avgEntropy':
      return group.entropySum / group.commits;
    case 'suspicious':
      return group.suspiciousCommits;
  }
}

/** The keys of a dimension in API order: by `sort` in `order`, ties by key ascending in byte order. */
function expectedKeyOrder(groups: Map<string, ExpectedGroup>, sort: Sort, order: Order): string[] {
  return [...groups]
    .sort(([keyA, a], [keyB, b]) => {
      const difference = sortValue(a, sort) - sortValue(b, sort);
      // Averages equal in exact arithmetic may differ in the last bits of a float sum.
      const compared = Math.abs(difference) < 1e-12 ? 0 : Math.sign(difference);
      return (order === 'asc' ? compared : -compared) || byteOrder(keyA, keyB);
    })
    .map(([key]) => key);
}

function expectedItem(dimension: Dimension, key: string, group: ExpectedGroup) {
  return {
    [dimension]: key,
    commits: group.commits,
    linesAdded: group.linesAdded,
    linesDeleted: group.linesDeleted,
    avgEntropy: expect.closeTo(group.entropySum / group.commits, 9),
    maxEntropy: group.maxEntropy,
    suspiciousCommits: group.suspiciousCommits,
    firstEventTime: group.firstEventTime,
    lastEventTime: group.lastEventTime,
  };
}

interface ExpectedWindow {
  windowStart: string;
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  entropySum: number;
  suspiciousCommits: number;
}

function expectedTimeline(commits: FixtureCommit[], flagged: ReadonlySet<string>): ExpectedWindow[] {
  const windows = new Map<string, ExpectedWindow>();
  for (const commit of commits) {
    const windowStart = windowStartOf(commit);
    const window = windows.get(windowStart) ?? {
      windowStart,
      commits: 0,
      linesAdded: 0,
      linesDeleted: 0,
      entropySum: 0,
      suspiciousCommits: 0,
    };
    window.commits += 1;
    window.linesAdded += commit.linesAdded;
    window.linesDeleted += commit.linesDeleted;
    window.entropySum += Number(commit.entropyText);
    if (flagged.has(commit.commitId)) window.suspiciousCommits += 1;
    windows.set(windowStart, window);
  }
  return [...windows.values()].sort((a, b) => byteOrder(a.windowStart, b.windowStart));
}

const windowItem = (window: ExpectedWindow) => ({
  windowStart: window.windowStart,
  commits: window.commits,
  linesAdded: window.linesAdded,
  linesDeleted: window.linesDeleted,
  avgEntropy: expect.closeTo(window.entropySum / window.commits, 9),
  suspiciousCommits: window.suspiciousCommits,
});

// ---------------------------------------------------------------------------------------------------
// HTTP.
// ---------------------------------------------------------------------------------------------------

const COLLECTIONS: Readonly<Record<Dimension, string>> = {
  author: 'authors',
  module: 'modules',
  language: 'languages',
};
const DIMENSIONS = Object.keys(COLLECTIONS) as Dimension[];

interface Timeline {
  windowSeconds: number;
  items: TimelineWindow[];
  nextFrom: string | null;
}
interface Response<T> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

let runtime: TestRuntime;
let csvDir: string;
let fixture: ReturnType<typeof buildFixture>;
let expected: ReturnType<typeof expectedAggregates>;
let replayed: Awaited<ReturnType<TestRuntime['replay']>>;
let replayStartedAt: number;
/** What the routes answered before anything was replayed. */
let beforeReplay: Record<'summary' | 'authors' | 'timeline' | 'suspicious' | 'author', Response<unknown>>;

/** Sends a request to the API front; `path` has no leading slash and is sent as written. */
async function call<T>(path: string, method = 'GET'): Promise<Response<T>> {
  const response = await fetch(new URL(path, runtime.apiUrl), { method });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

async function get<T>(path: string, status = 200): Promise<T> {
  const response = await call<T>(path);
  expect(response.status, `GET /${path}: ${response.text}`).toBe(status);
  return response.body;
}

/** Asserts the public error shape: a code, a message (naming `mention` when given), no stack trace. */
function expectError(
  response: Response<unknown>,
  status: number,
  error: ErrorBody['error'],
  mention?: string,
): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toEqual({ error, message: expect.any(String) } satisfies ErrorBody);
  if (mention !== undefined) expect((response.body as ErrorBody).message).toContain(mention);
  expect(response.text).not.toContain('    at ');
}

const groupsOf = (dimension: Dimension) =>
  dimension === 'author' ? expected.authors : dimension === 'module' ? expected.modules : expected.languages;
const keyOf = (dimension: Dimension, item: GroupItem) => item[dimension];

beforeAll(async () => {
  await buildDashboard();
  csvDir = await mkdtemp(join(tmpdir(), 'api-routes-'));
  fixture = buildFixture();
  const csvPath = join(csvDir, 'commits.csv');
  await writeFile(csvPath, fixture.csv);
  expected = expectedAggregates(csvPath, settings.analytics);
  // Small batches: the authors' baselines must carry over from one processor batch to the next.
  runtime = await startTestRuntime({ mapping: { batchSize: 50 } });
  beforeReplay = {
    summary: await call('stats/summary'),
    authors: await call('stats/authors'),
    timeline: await call('stats/timeline'),
    suspicious: await call('commits/suspicious'),
    author: await call(`stats/authors/${PERSON_1}`),
  };
  replayStartedAt = Date.now();
  replayed = await runtime.replay(csvPath);
});

afterAll(async () => {
  await runtime?.stop();
  if (csvDir) await rm(csvDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------

describe('the fixture', () => {
  it('exercises the cases the routes are checked on', () => {
    const ids = new Set(fixture.commits.map((commit) => commit.commitId));
    expect(ids.size).toBe(fixture.commits.length);
    expect(expected.validRows).toBe(fixture.commits.length);
    expect(expected.invalidRows).toBe(INVALID_ROWS.length);
    expect([...expected.modules.keys()]).toContain('(none)');
    expect([...expected.languages.keys()]).toContain('(none)');
    expect(expected.modules.size).toBeGreaterThanOrEqual(4);
    expect(expected.languages.size).toBeGreaterThanOrEqual(5);
    // Suspicious commits of both kinds, more than one default page of them.
    const reasons = new Set(expected.suspicious.map((item) => item.reason));
    expect(reasons).toEqual(new Set(['entropy', 'author-outlier']));
    expect(expected.suspicious.length).toBeGreaterThan(defaultPageSize);
    // person_1: flagged as an outlier only once 20 earlier commits exist, the early spike is not.
    const person1 = fixture.commits.filter((commit) => commit.author === PERSON_1).map((c) => c.commitId);
    const outliers = expected.suspicious.filter((item) => item.reason === 'author-outlier');
    const person1Outliers = outliers.filter((item) => person1.includes(item.commitId));
    expect(person1Outliers.map((item) => person1.indexOf(item.commitId))).toEqual(
      expect.arrayContaining([25, 44]),
    );
    expect(person1Outliers.every((item) => person1.indexOf(item.commitId) >= 20)).toBe(true);
    // A commit flagged for both reasons, and Zed/alice tying on every sort key.
    expect(expected.suspicious.filter((item) => item.commitId === TIE_IDS[PERSON_1])).toHaveLength(2);
    const zed = expected.authors.get(ZED) as ExpectedGroup;
    const alice = expected.authors.get(ALICE) as ExpectedGroup;
    for (const sort of SORTS) expect(sortValue(zed, sort), sort).toBeCloseTo(sortValue(alice, sort), 12);
  });

  it('is replayed with exactly the invalid rows rejected', () => {
    expect(replayed.rejected).toBe(INVALID_ROWS.length);
    expect(replayed.failed).toBe(0);
    // Every valid row, plus the one sent twice (counted once downstream).
    expect(replayed.sent).toBe(fixture.commits.length + 1);
  });
});

describe('an empty database', () => {
  it('answers zeros, nulls and empty lists, not errors, before any commit is ingested', () => {
    expect(beforeReplay.summary).toMatchObject({
      status: 200,
      body: {
        commits: 0,
        authors: 0,
        linesAdded: 0,
        linesDeleted: 0,
        avgEntropy: null,
        suspiciousCommits: 0,
        firstEventTime: null,
        lastEventTime: null,
        lastIngestedAt: null,
      },
    });
    expect(beforeReplay.authors).toMatchObject({
      status: 200,
      body: { items: [], total: 0, limit: defaultPageSize, offset: 0 },
    });
    expect(beforeReplay.timeline).toMatchObject({
      status: 200,
      body: { windowSeconds: WINDOW_SECONDS, items: [], nextFrom: null },
    });
    expect(beforeReplay.suspicious).toMatchObject({ status: 200, body: { items: [] } });
    expectError(beforeReplay.author, 404, 'NotFound', PERSON_1);
  });
});

describe('GET /health', () => {
  it('answers 200 {"status":"ok"} as JSON while the database is up', async () => {
    const response = await call('health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('GET /stats/summary', () => {
  it('reports the exact totals of the valid, distinct commits', async () => {
    const summary = await get<Summary>('stats/summary');

    const authors = [...expected.authors.values()];
    expect(summary).toEqual({
      commits: expected.summary.commits,
      authors: expected.summary.authors,
      linesAdded: expected.summary.linesAdded,
      linesDeleted: expected.summary.linesDeleted,
      avgEntropy: expect.closeTo(expected.summary.avgEntropy, 9),
      suspiciousCommits: expected.summary.suspiciousCommits,
      firstEventTime: authors.map((g) => g.firstEventTime).sort()[0],
      lastEventTime: authors
        .map((g) => g.lastEventTime)
        .sort()
        .at(-1),
      lastIngestedAt: expect.stringMatching(ISO_MS),
    });
  });

  it('gives lastIngestedAt as the time of the replay', async () => {
    const { lastIngestedAt } = await get<Summary>('stats/summary');

    const ingested = Date.parse(lastIngestedAt ?? '');
    expect(ingested).toBeGreaterThanOrEqual(replayStartedAt - 1_000);
    expect(ingested).toBeLessThanOrEqual(Date.now() + 1_000);
  });
});

describe.each(DIMENSIONS)('GET /stats/%s collections', (dimension) => {
  const collection = COLLECTIONS[dimension];
  const groups = () => groupsOf(dimension);

  it(`lists ${collection} by commits descending, 50 a page from offset 0, with the total`, async () => {
    const page = await get<ApiGroupPage>(`stats/${collection}`);

    expect(page.limit).toBe(defaultPageSize);
    expect(page.offset).toBe(0);
    expect(page.total).toBe(groups().size);
    const keys = expectedKeyOrder(groups(), 'commits', 'desc');
    expect(page.items).toEqual(
      keys.map((key) => expectedItem(dimension, key, groups().get(key) as ExpectedGroup)),
    );
  });

  it.each(SORTS.flatMap((sort) => ORDERS.map((order) => [sort, order] as const)))(
    `orders ${collection} by %s %s, ties by key ascending in byte order`,
    async (sort, order) => {
      const page = await get<ApiGroupPage>(
        `stats/${collection}?sort=${sort}&order=${order}&limit=${maxPageSize}`,
      );

      expect(page.items.map((item) => keyOf(dimension, item))).toEqual(
        expectedKeyOrder(groups(), sort, order),
      );
      expect(page).toMatchObject({ total: groups().size, limit: maxPageSize, offset: 0 });
    },
  );

  it.each([
    [1, 'commits', 'desc'],
    [2, 'churn', 'asc'],
    [3, 'avgEntropy', 'desc'],
  ] as const)(`walks all ${collection} exactly once with limit %i by %s %s`, async (limit, sort, order) => {
    const walked: string[] = [];
    for (let offset = 0; offset < groups().size; offset += limit) {
      const page = await get<ApiGroupPage>(
        `stats/${collection}?limit=${limit}&offset=${offset}&sort=${sort}&order=${order}`,
      );
      expect(page).toMatchObject({ total: groups().size, limit, offset });
      expect(page.items.length).toBe(Math.min(limit, groups().size - offset));
      walked.push(...page.items.map((item) => keyOf(dimension, item) ?? ''));
    }

    expect(walked).toEqual(expectedKeyOrder(groups(), sort, order));
  });

  it(`answers an empty page with the total past the last ${dimension}`, async () => {
    const page = await get<ApiGroupPage>(`stats/${collection}?offset=${groups().size}`);

    expect(page).toEqual({ items: [], total: groups().size, limit: defaultPageSize, offset: groups().size });
  });

  it(`GET /stats/${collection}/{${dimension}} answers every ${dimension} by its percent-encoded key`, async () => {
    for (const [key, group] of groups()) {
      const item = await get<GroupItem>(`stats/${collection}/${encodeURIComponent(key)}`);
      expect(item).toEqual(expectedItem(dimension, key, group));
    }
  });

  it(`GET /stats/${collection}/{${dimension}} is a 404 NotFound naming an unknown ${dimension}`, async () => {
    const response = await call(`stats/${collection}/no-such-${dimension}`);

    expectError(response, 404, 'NotFound', `no-such-${dimension}`);
  });
});

describe('GET /stats/authors/{author} and /stats/modules/{module} with awkward keys', () => {
  it.each([
    ['a space and a slash, fully encoded', `stats/authors/${encodeURIComponent(SLASHED)}`, SLASHED],
    ['a space and a slash, slash left raw', 'stats/authors/person%207/x', SLASHED],
    ['UTF-8 letters', `stats/authors/${encodeURIComponent(UNICODE)}`, UNICODE],
    ['a trailing slash', 'stats/authors/person_1/', PERSON_1],
  ])('finds an author whose path has %s', async (_, path, author) => {
    const item = await get<GroupItem>(path);

    expect(item).toEqual(expectedItem('author', author, expected.authors.get(author) as ExpectedGroup));
  });

  it('finds a module both as %2Fsecurity%2Fauth and with its slashes already decoded', async () => {
    const encoded = await get<GroupItem>('stats/modules/%2Fsecurity%2Fauth');
    const decoded = await get<GroupItem>('stats/modules//security/auth');

    const group = expected.modules.get('/security/auth') as ExpectedGroup;
    expect(encoded).toEqual(expectedItem('module', '/security/auth', group));
    expect(decoded).toEqual(encoded);
  });

  it('lists the collection, not an empty-named author, for a trailing slash', async () => {
    const page = await get<ApiGroupPage>('stats/authors/');

    expect(page.total).toBe(expected.authors.size);
    expect(page.items).toHaveLength(expected.authors.size);
  });

  it('answers a key that no text column can hold (%00) as not found or bad request, never a 500', async () => {
    for (const path of ['stats/authors/%00', 'stats/modules/%00security', 'stats/languages/py%00']) {
      const response = await call(path);
      expect([400, 404], `${path}: ${response.status} ${response.text}`).toContain(response.status);
      expectError(response, response.status, response.status === 400 ? 'BadRequest' : 'NotFound');
    }
  });

  it('does not match author names case-insensitively or by prefix', async () => {
    expectError(await call('stats/authors/PERSON_1'), 404, 'NotFound', 'PERSON_1');
    expectError(await call('stats/authors/person'), 404, 'NotFound');
  });

  it('rejects a key that is not valid percent-encoding with a 400', async () => {
    expectError(await call('stats/authors/%E0%A4%A'), 400, 'BadRequest', 'percent-encoding');
  });
});

describe('GET /stats/timeline', () => {
  const timeline = () =>
    expectedTimeline(fixture.commits, new Set(expected.suspicious.map((item) => item.commitId)));

  it(`returns every ${WINDOW_SECONDS}-second window with commits, oldest first, and no next page`, async () => {
    const body = await get<Timeline>('stats/timeline');

    expect(body).toEqual({
      windowSeconds: WINDOW_SECONDS,
      items: timeline().map(windowItem),
      nextFrom: null,
    });
    // The hour without commits has no windows.
    expect(
      body.items.some(
        (w) => w.windowStart >= '2024-01-01T00:50:00.000Z' && w.windowStart < '2024-01-01T01:00:00.000Z',
      ),
    ).toBe(false);
  });

  it('sums over all windows to the summary', async () => {
    const { items } = await get<Timeline>('stats/timeline');

    const total = (field: 'commits' | 'linesAdded' | 'linesDeleted' | 'suspiciousCommits') =>
      items.reduce((sum, window) => sum + window[field], 0);
    expect(total('commits')).toBe(expected.summary.commits);
    expect(total('linesAdded')).toBe(expected.summary.linesAdded);
    expect(total('linesDeleted')).toBe(expected.summary.linesDeleted);
    expect(total('suspiciousCommits')).toBe(expected.summary.suspiciousCommits);
    const entropySum = items.reduce((sum, window) => sum + (window.avgEntropy ?? 0) * window.commits, 0);
    expect(entropySum / total('commits')).toBeCloseTo(expected.summary.avgEntropy, 9);
  });

  it('keeps windows whose start is in [from, to): from inclusive, to exclusive', async () => {
    const windows = timeline();
    const from = windows[2]?.windowStart ?? '';
    const to = windows[6]?.windowStart ?? '';

    const body = await get<Timeline>(`stats/timeline?from=${from}&to=${to}`);

    expect(body.items).toEqual(windows.slice(2, 6).map(windowItem));
    expect(body.nextFrom).toBeNull();
  });

  it('filters on the window start, so a from inside a window drops that window', async () => {
    const windows = timeline();
    const inside = new Date(Date.parse(windows[2]?.windowStart ?? '') + 1_000).toISOString();

    const body = await get<Timeline>(`stats/timeline?from=${inside}`);

    expect(body.items).toEqual(windows.slice(3).map(windowItem));
  });

  it('accepts only from, only to, and from equal to to (an empty range)', async () => {
    const windows = timeline();
    const middle = windows[5]?.windowStart ?? '';

    expect((await get<Timeline>(`stats/timeline?from=${middle}`)).items).toEqual(
      windows.slice(5).map(windowItem),
    );
    expect((await get<Timeline>(`stats/timeline?to=${middle}`)).items).toEqual(
      windows.slice(0, 5).map(windowItem),
    );
    expect(await get<Timeline>(`stats/timeline?from=${middle}&to=${middle}`)).toEqual({
      windowSeconds: WINDOW_SECONDS,
      items: [],
      nextFrom: null,
    });
  });

  it('reads a date as midnight UTC and honours a time zone offset', async () => {
    const windows = timeline();
    const fromHalfPast = windows.filter((w) => w.windowStart >= '2024-01-01T00:30:00.000Z').map(windowItem);

    expect((await get<Timeline>('stats/timeline?from=2024-01-01')).items).toEqual(windows.map(windowItem));
    expect((await get<Timeline>('stats/timeline?to=2024-01-01')).items).toEqual([]);
    const offset = encodeURIComponent('2024-01-01T01:30:00+01:00');
    expect((await get<Timeline>(`stats/timeline?from=${offset}`)).items).toEqual(fromHalfPast);
    // A `+` sent unencoded arrives as a space and is read back as `+`.
    expect((await get<Timeline>('stats/timeline?from=2024-01-01T01:30:00+01:00')).items).toEqual(
      fromHalfPast,
    );
  });

  it('pages with limit and nextFrom through every window exactly once', async () => {
    const windows = timeline();
    const walked: TimelineWindow[] = [];
    let from: string | null = null;
    let pages = 0;
    do {
      const query: string = `stats/timeline?limit=4${from ? `&from=${from}` : ''}`;
      const body: Timeline = await get<Timeline>(query);
      expect(body.items.length).toBeLessThanOrEqual(4);
      walked.push(...body.items);
      from = body.nextFrom;
      if (from !== null) expect(from).toBe(windows[walked.length]?.windowStart);
      pages += 1;
    } while (from !== null && pages < 100);

    expect(walked).toEqual(windows.map(windowItem));
    expect(pages).toBe(Math.ceil(windows.length / 4));
  });

  it('pages within a to bound, ending with a null nextFrom at the bound', async () => {
    const windows = timeline();
    const to = windows[7]?.windowStart ?? '';

    const first = await get<Timeline>(`stats/timeline?limit=5&to=${to}`);
    const second = await get<Timeline>(`stats/timeline?limit=5&to=${to}&from=${first.nextFrom}`);

    expect(first.items).toEqual(windows.slice(0, 5).map(windowItem));
    expect(first.nextFrom).toBe(windows[5]?.windowStart);
    expect(second).toEqual({
      windowSeconds: WINDOW_SECONDS,
      items: windows.slice(5, 7).map(windowItem),
      nextFrom: null,
    });
  });
});

describe('GET /commits/suspicious', () => {
  const byId = () => new Map(fixture.commits.map((commit) => [commit.commitId, commit]));

  /** The expected items, latest event first, then commit id and reason ascending (byte order). */
  function suspiciousItems(filter: (item: SuspiciousCommit) => boolean = () => true): SuspiciousCommit[] {
    const commits = byId();
    return expected.suspicious
      .map(({ commitId, reason }): SuspiciousCommit => {
        const commit = commits.get(commitId) as FixtureCommit;
        return {
          commitId,
          author: commit.author,
          filePath: commit.filePath,
          entropy: Number(commit.entropyText),
          linesAdded: commit.linesAdded,
          linesDeleted: commit.linesDeleted,
          eventTime: eventTimeOf(commit),
          reason,
        };
      })
      .filter(filter)
      .sort(
        (a, b) =>
          byteOrder(b.eventTime, a.eventTime) ||
          byteOrder(a.commitId, b.commitId) ||
          byteOrder(a.reason, b.reason),
      );
  }

  it('lists exactly the expected flagged commits, one item per commit and reason, with their details', async () => {
    const { items } = await get<{ items: SuspiciousCommit[] }>(`commits/suspicious?limit=${maxPageSize}`);

    expect(items).toEqual(suspiciousItems());
    const pairs = new Set(items.map((item) => `${item.commitId}|${item.reason}`));
    expect(pairs).toEqual(new Set(expected.suspicious.map((item) => `${item.commitId}|${item.reason}`)));
  });

  it('puts the latest event first, breaking ties by commit id in byte order, then reason', async () => {
    const { items } = await get<{ items: SuspiciousCommit[] }>(`commits/suspicious?limit=${maxPageSize}`);

    const times = items.map((item) => item.eventTime);
    expect(times).toEqual([...times].sort().reverse());
    const tied = items.filter(
      (item) => item.eventTime === new Date(LOG_EPOCH_MS + TIE_TIME * 1000).toISOString(),
    );
    expect(tied.map((item) => [item.commitId, item.reason])).toEqual([
      ['X_tie', 'author-outlier'],
      ['X_tie', 'entropy'],
      ['a_tie', 'entropy'],
    ]);
  });

  it(`returns the latest ${defaultPageSize} by default and honours a smaller limit`, async () => {
    const all = suspiciousItems();

    expect((await get<{ items: SuspiciousCommit[] }>('commits/suspicious')).items).toEqual(
      all.slice(0, defaultPageSize),
    );
    expect((await get<{ items: SuspiciousCommit[] }>('commits/suspicious?limit=3')).items).toEqual(
      all.slice(0, 3),
    );
  });

  it.each([PERSON_1, SLASHED, UNICODE, BOB])('filters by author %s (URL-encoded)', async (author) => {
    const { items } = await get<{ items: SuspiciousCommit[] }>(
      `commits/suspicious?limit=${maxPageSize}&author=${encodeURIComponent(author)}`,
    );

    expect(items).toEqual(suspiciousItems((item) => item.author === author));
  });

  it.each(['entropy', 'author-outlier'] as const)('filters by reason %s', async (reason) => {
    const { items } = await get<{ items: SuspiciousCommit[] }>(
      `commits/suspicious?limit=${maxPageSize}&reason=${reason}`,
    );

    expect(items.length).toBeGreaterThan(0);
    expect(items).toEqual(suspiciousItems((item) => item.reason === reason));
  });

  it('combines the author and reason filters with a limit', async () => {
    const { items } = await get<{ items: SuspiciousCommit[] }>(
      `commits/suspicious?author=${PERSON_1}&reason=author-outlier&limit=1`,
    );

    expect(items).toEqual(
      suspiciousItems((item) => item.author === PERSON_1 && item.reason === 'author-outlier').slice(0, 1),
    );
  });

  it('answers an empty list for an author with no flagged commits', async () => {
    expect(await get('commits/suspicious?author=nobody')).toEqual({ items: [] });
  });

  it('answers an author filter holding %00 with an empty list or a 400, never a 500', async () => {
    const response = await call('commits/suspicious?author=%00');

    if (response.status === 400) expectError(response, 400, 'BadRequest', 'author');
    else expect(response, response.text).toMatchObject({ status: 200, body: { items: [] } });
  });
});

describe('GET / (the dashboard)', () => {
  it('serves the page, and every script and stylesheet it links loads relative to it', async () => {
    const response = await fetch(runtime.apiUrl);
    const page = { status: response.status, headers: response.headers, text: await response.text() };

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const links = [...page.text.matchAll(/\b(?:src|href)="(assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
    expect(links).toHaveLength(2);
    for (const link of links) {
      const response = await fetch(new URL(link, runtime.apiUrl));
      expect(response.status, link).toBe(200);
      expect(response.headers.get('cache-control')).toContain('immutable');
      expect((await response.text()).length).toBeGreaterThan(1000);
    }
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3 document describing a GET for every route', async () => {
    const doc = await get<{
      openapi: string;
      info: { title: string };
      paths: Record<string, { get?: unknown }>;
    }>('openapi.json');

    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).not.toBe('');
    const routes = [
      '/health',
      '/openapi.json',
      '/stats/summary',
      '/stats/authors',
      '/stats/authors/{author}',
      '/stats/modules',
      '/stats/modules/{module}',
      '/stats/languages',
      '/stats/languages/{language}',
      '/stats/timeline',
      '/commits/suspicious',
    ];
    expect(Object.keys(doc.paths).sort()).toEqual([...routes].sort());
    for (const route of routes) expect(doc.paths[route]?.get, route).toBeDefined();
  });
});

describe('query strings', () => {
  it('ignores parameters a route does not know', async () => {
    const plain = await get<ApiGroupPage>('stats/authors?limit=3');
    const extra = await get<ApiGroupPage>('stats/authors?limit=3&page=2&utm_source=x');

    expect(extra).toEqual(plain);
    expect(await get<Summary>('stats/summary?limit=0&sort=bogus')).toEqual(
      await get<Summary>('stats/summary'),
    );
  });
});

describe('errors', () => {
  it.each([
    ['stats/authors?limit=0', 'limit'],
    ['stats/authors?limit=1001', 'limit'],
    ['stats/authors?limit=abc', 'limit'],
    ['stats/authors?limit=1&limit=2', 'limit'],
    ['stats/authors?offset=-1', 'offset'],
    ['stats/authors?sort=name', 'sort'],
    ['stats/authors?order=up', 'order'],
    ['stats/modules?sort=churn&order=DESC', 'order'],
    ['stats/languages?limit=', 'limit'],
    ['stats/timeline?from=yesterday', 'from'],
    ['stats/timeline?from=2024-01-01T00:00:00', 'from'],
    ['stats/timeline?to=2024-02-30', 'to'],
    ['stats/timeline?to=2024-13-01T00:00:00Z', 'to'],
    ['stats/timeline?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 'from'],
    ['stats/timeline?limit=0', 'limit'],
    ['stats/timeline?limit=1001', 'limit'],
    ['commits/suspicious?reason=virus', 'reason'],
    ['commits/suspicious?limit=1001', 'limit'],
    ['commits/suspicious?author=', 'author'],
  ])('GET /%s is a 400 BadRequest naming %s', async (path, parameter) => {
    expectError(await call(path), 400, 'BadRequest', parameter);
  });

  it.each(['index.html', 'stats', 'stats/unknown', 'commits', 'Stats/Summary', 'health/x', 'assets/a/b.js'])(
    'GET /%s is a 404 NotFound for an unknown route',
    async (path) => {
      expectError(await call(path), 404, 'NotFound', 'no route');
    },
  );

  it.each([
    ['POST', 'stats/summary'],
    ['PUT', 'stats/authors'],
    ['DELETE', 'health'],
    ['PATCH', `stats/authors/${PERSON_1}`],
  ])('%s /%s is a 405 that allows GET', async (method, path) => {
    const response = await call(path, method);

    expectError(response, 405, 'MethodNotAllowed', method);
    expect(response.headers.get('allow')).toBe('GET');
  });

  it('POST on an unknown route is a 404, not a 405', async () => {
    expectError(await call('nope', 'POST'), 404, 'NotFound');
  });

  it('answers an OPTIONS preflight on a route with 204, CORS headers and no body', async () => {
    const response = await call('stats/authors', 'OPTIONS');

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('GET');
  });
});
