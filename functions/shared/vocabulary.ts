/**
 * The pipeline's shared vocabulary: what the aggregates are keyed by and why a commit is flagged.
 * The processor writes these values, the migrations constrain them and the API filters by them.
 */

/** The dimensions `pipeline.group_stats` is keyed by. */
export const DIMENSIONS = ['author', 'module', 'language'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/**
 * Why a commit is suspicious: `entropy` at or above the absolute threshold, `author-outlier` far above
 * its author's running mean. One `suspicious_commits` row per commit and reason.
 */
export const SUSPICION_REASONS = ['entropy', 'author-outlier'] as const;
export type SuspicionReason = (typeof SUSPICION_REASONS)[number];

/** The processor's steps, in order: the hot path (aggregates), then the cold path (archive). */
export const PROCESSOR_STEPS = ['aggregate', 'archive'] as const;
export type ProcessorStep = (typeof PROCESSOR_STEPS)[number];
