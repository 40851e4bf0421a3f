/**
 * A deterministic generator of "Infected Code" commit rows with the schema and statistics of the
 * published 20,000-row cut (see /work/shared/data-notes.md).
 *
 * Rows come out sorted by author (`person_1`, `person_2`, … in numeric order), then by time, one at a
 * time: memory stays bounded whatever the row count. Each author draws from a random stream derived from
 * the seed and the author's number, so equal seeds and row counts give equal rows.
 */

import type { CommitRow } from '../../functions/producer/commit-row.js';
import { settings } from '../../functions/shared/settings.js';
import { deriveSeed, Prng, WeightedChoice } from './prng.js';
import {
  EXTENSIONS,
  FILE_NUMBER_RANGE,
  FILE_WORDS,
  MESSAGES,
  MODULES,
  messageWeight,
  SUBDIRECTORIES,
  SUBDIRECTORY_SHARE,
} from './vocabulary.js';

// One commit, as a row of the CSV: the shape the producer validates (entropy rounded to 4 decimals).
export type { CommitRow };

/** What to generate. */
export interface SampleOptions {
  /** Number of rows (commits), a non-negative integer. */
  rows: number;
  /** Seed, an unsigned 32-bit integer. */
  seed: number;
}

/** The seed of the committed sample. */
export const DEFAULT_SEED = 20_240_101;
/** The row count of the committed sample, and the size the statistics below are calibrated for. */
export const REFERENCE_ROWS = 20_000;
export const AUTHOR_COUNT = 104;
/** Commits of the least and the most active author at {@link REFERENCE_ROWS} rows. */
export const REFERENCE_COMMITS_RANGE = { min: 62, max: 410 } as const;
/** Length of the log at {@link REFERENCE_ROWS} rows; larger samples stretch it to keep the commit rate. */
export const REFERENCE_LOG_SECONDS = 12 * 60 * 60;

const ENTROPY_MIN = 0.01;
/** Most authors' typical entropy: mean and spread across authors. */
const TYPICAL_AUTHOR_ENTROPY = { mean: 0.4, sd: 0.065 } as const;
/** Authors whose usual entropy is far from the others' (a few low, a few high). */
const LOW_AUTHORS = { count: 3, min: 0.09, max: 0.16 } as const;
const HIGH_AUTHORS = { count: 4, min: 0.58, max: 0.67 } as const;
/** Spread of an author's commits around their usual entropy, in logit space. */
const WITHIN_AUTHOR_LOGIT_SD = 0.52;
/** Chance that a commit, once its author has enough history, is an injected outlier. */
const OUTLIER_RATE = 0.014;
/** Injected outliers sit this many (extra) standard deviations above the author's running mean. */
const OUTLIER_MARGIN_SD = { min: 0.4, max: 1.6 } as const;
/** Share of authors active over the whole log; the others only over part of it. */
const FULL_SPAN_SHARE = 0.7;
/** Share of an author's commits that touch their home module (the rest follow the global mix). */
const HOME_MODULE_SHARE = 0.35;
/** lines_added and lines_deleted: log-normal, truncated to their maximum by redrawing. */
const LINES_ADDED = { mu: Math.log(15.4), sigma: 0.75, max: 64 } as const;
const LINES_DELETED = { mu: Math.log(9.4), sigma: 0.75, max: 34 } as const;

/** What an author will commit: how much, when, and how. */
export interface AuthorPlan {
  /** 1-based author number (`person_<n>`). */
  number: number;
  commits: number;
  /** The author's typical entropy, before noise. */
  typicalEntropy: number;
  /** First and last second the author is active in. */
  activeFrom: number;
  activeTo: number;
  homeModule: string;
}

/**
 * Splits `rows` commits among the {@link AUTHOR_COUNT} authors and draws each author's profile.
 *
 * Volumes are uneven: at {@link REFERENCE_ROWS} rows the least active author has 62 commits and the most
 * active 410; other row counts scale proportionally, and when there are at least as many rows as authors
 * every author gets at least one commit.
 *
 * @param options - the row count and seed
 */
export function planAuthors(options: SampleOptions): AuthorPlan[] {
  const prng = new Prng(deriveSeed(options.seed, 'authors'));
  const shares = authorShares(prng);
  const commits = apportion(options.rows, shares);
  const logSeconds = logSecondsFor(options.rows);
  const typical = typicalEntropies(prng);
  const modules = MODULES.map(([name]) => name);

  return commits.map((count, i) => {
    let activeFrom = 0;
    let activeTo = logSeconds;
    if (!prng.bernoulli(FULL_SPAN_SHARE)) {
      const length = prng.uniform(0.5, 0.9) * logSeconds;
      activeFrom = prng.uniform(0, logSeconds - length);
      activeTo = activeFrom + length;
    }
    return {
      number: i + 1,
      commits: count,
      typicalEntropy: typical[i] ?? TYPICAL_AUTHOR_ENTROPY.mean,
      activeFrom,
      activeTo,
      homeModule: modules[prng.int(0, modules.length - 1)] ?? '/core/api',
    };
  });
}

/**
 * Yields `rows` commit rows, sorted by author then time, deterministically for a given seed.
 *
 * @param options - the row count and seed
 * @example
 * for (const row of generateCommits({ rows: 20_000, seed: DEFAULT_SEED })) console.log(row.commitId);
 */
export function* generateCommits(options: SampleOptions): Generator<CommitRow, void, undefined> {
  assertOptions(options);
  const idWidth = Math.max(7, String(options.rows).length);
  const messages = messageChoice(options.seed);
  let sequence = 0;
  for (const plan of planAuthors(options)) {
    for (const commit of authorCommits(plan, options.seed, messages)) {
      sequence += 1;
      yield { commitId: `c_${String(sequence).padStart(idWidth, '0')}`, ...commit };
    }
  }
}

type AuthorCommit = Omit<CommitRow, 'commitId'>;

function* authorCommits(
  plan: AuthorPlan,
  seed: number,
  messages: WeightedChoice<string>,
): Generator<AuthorCommit, void, undefined> {
  const prng = new Prng(deriveSeed(seed, 'author', plan.number));
  const author = `person_${plan.number}`;
  const typicalLogit = logit(plan.typicalEntropy);
  const span = plan.activeTo - plan.activeFrom;
  const history = new RunningStats();
  const { outlierMinCommits, outlierStdDevs } = settings.analytics;
  // Sorted uniforms drawn in ascending order, one at a time: the minimum of the m uniforms still to
  // place above `position` is position + (1 − position)·(1 − U^(1/m)).
  let position = 0;

  for (let k = 0; k < plan.commits; k++) {
    position += (1 - position) * (1 - (1 - prng.next()) ** (1 / (plan.commits - k)));
    const time = Math.floor(plan.activeFrom + position * span);

    let entropy: number | undefined;
    if (k >= outlierMinCommits && prng.bernoulli(OUTLIER_RATE)) {
      entropy = outlierEntropy(prng, history, outlierStdDevs);
    }
    entropy ??= round4(clamp(sigmoid(typicalLogit + WITHIN_AUTHOR_LOGIT_SD * prng.normal()), ENTROPY_MIN, 1));
    history.add(entropy);

    yield {
      author,
      time,
      filePath: filePath(prng, plan.homeModule),
      linesAdded: truncatedLognormal(prng, LINES_ADDED),
      linesDeleted: truncatedLognormal(prng, LINES_DELETED),
      entropy,
      message: messages.pick(prng),
    };
  }
}

/**
 * An entropy well above the author's history: mean + (k + 0.4…1.6) sample standard deviations, where k is
 * the outlier rule's multiplier, capped at 1.0; undefined when even 1.0 would not clear the rule with a margin.
 */
function outlierEntropy(prng: Prng, history: RunningStats, stdDevs: number): number | undefined {
  const { mean, sd } = history;
  const margin = prng.uniform(OUTLIER_MARGIN_SD.min, OUTLIER_MARGIN_SD.max);
  const value = round4(Math.min(1, mean + (stdDevs + margin) * sd));
  return value > mean + (stdDevs + 0.5) * sd ? value : undefined;
}

const moduleChoice = new WeightedChoice(MODULES);
const extensionChoice = new WeightedChoice(EXTENSIONS);

function filePath(prng: Prng, homeModule: string): string {
  const module = prng.bernoulli(HOME_MODULE_SHARE) ? homeModule : moduleChoice.pick(prng);
  const directory = prng.bernoulli(SUBDIRECTORY_SHARE) ? `/${pickUniform(prng, SUBDIRECTORIES)}` : '';
  const word = pickUniform(prng, FILE_WORDS);
  const number = prng.int(FILE_NUMBER_RANGE.min, FILE_NUMBER_RANGE.max);
  return `${module}${directory}/${word}_${number}.${extensionChoice.pick(prng)}`;
}

/** Messages in a seed-dependent order of popularity. */
function messageChoice(seed: number): WeightedChoice<string> {
  const prng = new Prng(deriveSeed(seed, 'messages'));
  const order = [...MESSAGES];
  for (let i = order.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  // Messages with a comma or a double quote (the ones CSV must quote) are the rarer ones, as in real logs.
  const needsQuoting = (message: string): boolean => /[",]/.test(message);
  const ranked = [...order.filter((m) => !needsQuoting(m)), ...order.filter(needsQuoting)];
  return new WeightedChoice(ranked.map((message, rank) => [message, messageWeight(rank)] as const));
}

/**
 * Each author's share of the commits: random weights mapped onto [62, 410] by a power curve whose exponent
 * is solved so that the volumes add up to {@link REFERENCE_ROWS}.
 */
function authorShares(prng: Prng): number[] {
  const raw = Array.from({ length: AUTHOR_COUNT }, () => prng.next());
  const lo = Math.min(...raw);
  const hi = Math.max(...raw);
  const unit = raw.map((r) => (r - lo) / (hi - lo));
  const { min, max } = REFERENCE_COMMITS_RANGE;
  const volumes = (gamma: number): number[] => unit.map((u) => min + (max - min) * u ** gamma);
  const total = (gamma: number): number => volumes(gamma).reduce((sum, v) => sum + v, 0);
  // total() falls as gamma rises; bisect for total(gamma) = REFERENCE_ROWS.
  let low = 0.01;
  let high = 50;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (total(mid) > REFERENCE_ROWS) low = mid;
    else high = mid;
  }
  return volumes((low + high) / 2).map((v) => v / REFERENCE_ROWS);
}

/** Integer counts adding up to `rows`, proportional to `shares` (largest remainder), at least 1 each when possible. */
function apportion(rows: number, shares: readonly number[]): number[] {
  const exact = shares.map((share) => rows * share);
  const counts = exact.map((x) => Math.floor(x + 1e-9));
  let missing = rows - counts.reduce((sum, c) => sum + c, 0);
  const byRemainder = exact
    .map((x, i) => [x - (counts[i] ?? 0), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; missing > 0; i = (i + 1) % byRemainder.length, missing--) {
    const index = byRemainder[i]?.[1] ?? 0;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  if (rows >= counts.length) {
    for (let i = 0; i < counts.length; i++) {
      if ((counts[i] ?? 0) > 0) continue;
      const richest = counts.indexOf(Math.max(...counts));
      counts[richest] = (counts[richest] ?? 0) - 1;
      counts[i] = 1;
    }
  }
  return counts;
}

/** Typical entropy of each author: most near 0.4, a few low ones, a few high ones, at random positions. */
function typicalEntropies(prng: Prng): number[] {
  const values = Array.from({ length: AUTHOR_COUNT }, () =>
    clamp(TYPICAL_AUTHOR_ENTROPY.mean + TYPICAL_AUTHOR_ENTROPY.sd * prng.normal(), 0.2, 0.55),
  );
  const indices = values.map((_, i) => i);
  for (let i = indices.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  const spread = (group: { count: number; min: number; max: number }, offset: number): void => {
    for (let g = 0; g < group.count; g++) {
      const index = indices[offset + g] as number;
      values[index] = group.min + ((group.max - group.min) * g) / Math.max(1, group.count - 1);
    }
  };
  spread(LOW_AUTHORS, 0);
  spread(HIGH_AUTHORS, LOW_AUTHORS.count);
  return values;
}

function logSecondsFor(rows: number): number {
  return Math.round(REFERENCE_LOG_SECONDS * Math.max(1, rows / REFERENCE_ROWS));
}

function truncatedLognormal(prng: Prng, shape: { mu: number; sigma: number; max: number }): number {
  for (;;) {
    const value = Math.floor(prng.lognormal(shape.mu, shape.sigma));
    if (value <= shape.max) return value;
  }
}

function pickUniform<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.int(0, items.length - 1)] as T;
}

function assertOptions({ rows, seed }: SampleOptions): void {
  if (!Number.isSafeInteger(rows) || rows < 0)
    throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
  }
}

/** Welford's running mean and sample standard deviation. */
class RunningStats {
  private count = 0;
  private runningMean = 0;
  private m2 = 0;

  add(x: number): void {
    this.count += 1;
    const delta = x - this.runningMean;
    this.runningMean += delta / this.count;
    this.m2 += delta * (x - this.runningMean);
  }

  get mean(): number {
    return this.runningMean;
  }

  get sd(): number {
    return this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0;
  }
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));
