-- Hot-path schema: a dedupe ledger and the aggregates the read API serves.
-- Every statement is idempotent; the migration routine splits this file on top-level semicolons and
-- runs the statements in one transaction.

CREATE SCHEMA IF NOT EXISTS pipeline;

-- Every commit id the hot path has counted. Inserting a batch's ids here first, and aggregating only
-- the ids that were new, makes the aggregates exactly-once under retries, bisection and replays.
CREATE TABLE IF NOT EXISTS pipeline.ingested_commits (
  commit_id   text PRIMARY KEY,
  ingested_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (dimension, key): dimension 'author', 'module' or 'language'.
-- Sums are exact (numeric); averages are derived on read.
CREATE TABLE IF NOT EXISTS pipeline.group_stats (
  dimension          text        NOT NULL CHECK (dimension IN ('author', 'module', 'language')),
  key                text        NOT NULL,
  commits            bigint      NOT NULL,
  lines_added        bigint      NOT NULL,
  lines_deleted      bigint      NOT NULL,
  entropy_sum        numeric     NOT NULL,
  max_entropy        numeric     NOT NULL,
  suspicious_commits bigint      NOT NULL,
  first_event_time   timestamptz NOT NULL,
  last_event_time    timestamptz NOT NULL,
  last_ingested_at   timestamptz NOT NULL,
  PRIMARY KEY (dimension, key)
);

-- Running entropy statistics per author (Welford), for the author-outlier rule.
CREATE TABLE IF NOT EXISTS pipeline.author_baselines (
  author       text             PRIMARY KEY,
  commits      bigint           NOT NULL,
  entropy_mean double precision NOT NULL,
  entropy_m2   double precision NOT NULL
);

-- Tumbling event-time windows; the window length is part of the key so that changing it never
-- mixes windows of different lengths.
CREATE TABLE IF NOT EXISTS pipeline.window_stats (
  window_seconds     integer     NOT NULL,
  window_start       timestamptz NOT NULL,
  commits            bigint      NOT NULL,
  lines_added        bigint      NOT NULL,
  lines_deleted      bigint      NOT NULL,
  entropy_sum        numeric     NOT NULL,
  suspicious_commits bigint      NOT NULL,
  PRIMARY KEY (window_seconds, window_start)
);

-- Suspicious ("infected") commits, one row per commit and reason.
CREATE TABLE IF NOT EXISTS pipeline.suspicious_commits (
  commit_id     text        NOT NULL,
  reason        text        NOT NULL CHECK (reason IN ('entropy', 'author-outlier')),
  author        text        NOT NULL,
  file_path     text        NOT NULL,
  entropy       numeric     NOT NULL,
  lines_added   integer     NOT NULL,
  lines_deleted integer     NOT NULL,
  event_time    timestamptz NOT NULL,
  PRIMARY KEY (commit_id, reason)
);

CREATE INDEX IF NOT EXISTS suspicious_commits_by_event_time
  ON pipeline.suspicious_commits (event_time DESC, commit_id);

CREATE INDEX IF NOT EXISTS suspicious_commits_by_author
  ON pipeline.suspicious_commits (author, event_time DESC);
