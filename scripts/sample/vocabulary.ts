/**
 * The words the sample generator builds file paths and commit messages from, with their relative
 * weights. The shapes follow the published "Infected Code" cut (see docs in /work/shared/data-notes.md):
 * 13 two-segment modules, an extension mix led by Python, about 204 distinct messages.
 */

/** Modules (the first two path segments) and how often they are touched. */
export const MODULES = [
  ['/security/auth', 9],
  ['/security/crypto', 6],
  ['/core/api', 12],
  ['/core/storage', 10],
  ['/core/scheduler', 6],
  ['/analytics/etl', 9],
  ['/analytics/ml', 8],
  ['/services/billing', 8],
  ['/services/search', 6],
  ['/services/notifications', 5],
  ['/frontend/admin', 7],
  ['/frontend/web', 8],
  ['/infra/deploy', 6],
] as const satisfies readonly (readonly [string, number])[];

/** Optional directory between the module and the file name. */
export const SUBDIRECTORIES = [
  'utils',
  'pkg',
  'service',
  'lib',
  'internal',
  'handlers',
  'models',
  'tests',
  'scripts',
  'config',
] as const;

/** Share of paths with an extra directory under the module. */
export const SUBDIRECTORY_SHARE = 0.6;

/** The `<word>` of a `<word>_<number>.<ext>` file name. */
export const FILE_WORDS = [
  'payment',
  'data',
  'train',
  'server',
  'client',
  'model',
  'cache',
  'parser',
  'schema',
  'config',
  'worker',
  'handler',
  'report',
  'token',
  'session',
  'user',
  'metrics',
  'pipeline',
  'loader',
  'router',
  'job',
  'query',
  'index',
  'helper',
  'invoice',
  'order',
  'feature',
] as const;

/** Range of the `<number>` of a file name. */
export const FILE_NUMBER_RANGE = { min: 10_000, max: 120_000 } as const;

/** File extensions in percent: py first (about a third), then a descending tail. */
export const EXTENSIONS = [
  ['py', 33],
  ['go', 11],
  ['ipynb', 9],
  ['sql', 8],
  ['c', 7],
  ['rs', 6.5],
  ['js', 6],
  ['yaml', 5],
  ['ts', 4.5],
  ['tsx', 4],
  ['groovy', 3],
  ['sh', 3],
] as const satisfies readonly (readonly [string, number])[];

const COMPONENTS = [
  'client',
  'server',
  'parser',
  'cache',
  'schema',
  'api',
  'storage',
  'scheduler',
  'metrics',
  'auth',
  'pipeline',
  'model',
] as const;

const COMPONENT_TEMPLATES: readonly ((component: string) => string)[] = [
  (c) => `refactor ${c}`,
  (c) => `optimize ${c}`,
  (c) => `reorganize ${c}`,
  (c) => `minor fix in ${c}`,
  (c) => `address review comments in ${c}`,
  (c) => `clean up ${c}`,
  (c) => `add tests for ${c}`,
  (c) => `fix bug in ${c}`,
  // A comma inside: the CSV writer must quote these.
  (c) => `fix ${c}, add tests`,
  // Double quotes inside: the CSV writer must quote and double them.
  (c) => `revert "refactor ${c}"`,
];

const METRIC_COMPONENTS = ['parser', 'client', 'server', 'pipeline', 'cache', 'storage'] as const;
const METRIC_TOPICS = [
  'claims',
  'billing',
  'latency',
  'users',
  'orders',
  'sessions',
  'payments',
  'inventory',
];

const STANDALONE_MESSAGES = [
  'ci: tweak pipeline',
  'ci: bump runner image',
  'ci: cache dependencies',
  'ci: split test jobs',
  'ci: retry flaky steps',
  'docs: update readme',
  'docs: fix typos',
  'docs: document config options',
  'docs: add architecture notes',
  'chore: bump dependencies',
  'chore: update lockfile',
  'chore: remove dead code',
  'chore: rename variables',
  'style: format code',
  'style: fix lint warnings',
  'build: pin toolchain',
  'build: update dockerfile',
  'build: enable strict mode',
  'test: fix flaky test',
  'test: add integration tests',
  'test: raise coverage',
  'perf: speed up startup',
  'perf: reduce allocations',
  'feat: add feature flag',
  'feat: support pagination',
  'feat: add retry with backoff',
  'security: rotate keys',
  'security: sanitize inputs',
  "merge branch 'main' into develop",
  'wip',
  'wip, do not merge',
  'update config, bump version',
  'initial commit',
  'hotfix: handle null values',
  'hotfix: guard against empty input',
  'release: prepare v1.2.0',
];

/** Every distinct commit message, in a fixed order (204 of them). */
export const MESSAGES: readonly string[] = [
  ...COMPONENT_TEMPLATES.flatMap((template) => COMPONENTS.map(template)),
  ...METRIC_COMPONENTS.flatMap((c) => METRIC_TOPICS.map((topic) => `adjust metrics for ${c} (${topic})`)),
  ...STANDALONE_MESSAGES,
];

/**
 * Relative weight of the message at a position: a gentle Zipf-like decay, so a few messages are common
 * but even the rarest is drawn dozens of times in 20,000 rows.
 */
export function messageWeight(rank: number): number {
  return 1 / (1 + rank / 60);
}
