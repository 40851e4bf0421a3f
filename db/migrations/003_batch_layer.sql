-- The batch layer's SQL objects: staging copies of the speed layer's tables, and the swap that puts a
-- staging set in their place within the caller's transaction.
--
-- A batch run (`npm run reconcile`, `npm run rebuild`, the scheduled reconciliation) writes the view it
-- computed from the archive into a staging set of its own, one table per table the processor writes,
-- named `pipeline.<table>__stage_<token>` and shaped exactly like it (LIKE … INCLUDING ALL). A
-- reconciliation compares the two sets and drops its own; a rebuild swaps its set in. Every run
-- registers its token in `batch_stages`, so that the set of a run that died is dropped by a later one.

CREATE TABLE IF NOT EXISTS pipeline.batch_stages (
  token      text        PRIMARY KEY CHECK (token ~ '^[a-z0-9]{6,32}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The tables a staging set copies: every table the processor writes.
CREATE OR REPLACE FUNCTION pipeline.batch_stage_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['ingested_commits', 'group_stats', 'window_stats', 'suspicious_commits', 'author_baselines']
$$;

-- An index definition without its own name and its table's, so that an index of a staging table can be
-- matched with the one of the live table it copies.
CREATE OR REPLACE FUNCTION pipeline.batch_index_shape(p_index oid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT regexp_replace(pg_get_indexdef(p_index), '^(CREATE (UNIQUE )?INDEX )\S+ ON \S+ ', '\1')
$$;

CREATE OR REPLACE FUNCTION pipeline.drop_batch_stage(p_token text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  live text;
BEGIN
  FOREACH live IN ARRAY pipeline.batch_stage_tables() LOOP
    EXECUTE format('DROP TABLE IF EXISTS pipeline.%I', live || '__stage_' || p_token);
  END LOOP;
  DELETE FROM pipeline.batch_stages WHERE token = p_token;
  RETURN true;
END
$$;

-- Creates the staging set of `p_token`, after dropping the sets older than `p_stale` (runs that died).
CREATE OR REPLACE FUNCTION pipeline.create_batch_stage(p_token text, p_stale interval) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  stale text;
  live text;
BEGIN
  FOR stale IN SELECT token FROM pipeline.batch_stages WHERE created_at < now() - p_stale LOOP
    PERFORM pipeline.drop_batch_stage(stale);
  END LOOP;
  INSERT INTO pipeline.batch_stages (token) VALUES (p_token);
  FOREACH live IN ARRAY pipeline.batch_stage_tables() LOOP
    EXECUTE format('CREATE TABLE pipeline.%I (LIKE pipeline.%I INCLUDING ALL)', live || '__stage_' || p_token, live);
  END LOOP;
  RETURN true;
END
$$;

-- Puts the staging set of `p_token` in place of the live tables, inside the caller's transaction: a
-- reader sees either the old tables or the new ones, never a mix. Each new table gets the grants of the
-- one it replaces (the read-only role's SELECT on the serving tables) and its index names (which later
-- migrations refer to). `group_stats.last_ingested_at` keeps the speed layer's value where it has one.
-- The caller holds the processor out first (LOCK TABLE pipeline.ingested_commits), see
-- functions/batch/batch-run.ts.
CREATE OR REPLACE FUNCTION pipeline.swap_in_batch_stage(p_token text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  live text;
  stage text;
  privilege record;
  copied record;
  live_names text[];
  live_shapes text[];
  slot int;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pipeline.batch_stages WHERE token = p_token) THEN
    RAISE EXCEPTION 'there is no batch stage %', p_token USING ERRCODE = 'no_data_found';
  END IF;
  -- Every table of both sets locked first, before any of their catalog rows is changed: an
  -- autovacuum of a staging table would otherwise wait for this transaction (it updates the table's
  -- pg_class row, which GRANT changed) while holding the lock that the rename below waits for.
  FOREACH live IN ARRAY pipeline.batch_stage_tables() LOOP
    EXECUTE format('LOCK TABLE pipeline.%I, pipeline.%I IN ACCESS EXCLUSIVE MODE', live, live || '__stage_' || p_token);
  END LOOP;
  EXECUTE format(
    'UPDATE pipeline.%I s SET last_ingested_at = l.last_ingested_at FROM pipeline.group_stats l '
    'WHERE l.dimension = s.dimension AND l.key = s.key', 'group_stats__stage_' || p_token);
  FOREACH live IN ARRAY pipeline.batch_stage_tables() LOOP
    stage := live || '__stage_' || p_token;
    FOR privilege IN
      SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee, a.privilege_type
      FROM pg_class c
      CROSS JOIN LATERAL aclexplode(c.relacl) a
      LEFT JOIN pg_roles r ON r.oid = a.grantee
      WHERE c.oid = format('pipeline.%I', live)::regclass AND a.grantee <> c.relowner
    LOOP
      EXECUTE format('GRANT %s ON pipeline.%I TO %s', privilege.privilege_type, stage, privilege.grantee);
    END LOOP;
    SELECT array_agg(ci.relname::text ORDER BY ci.relname), array_agg(pipeline.batch_index_shape(i.indexrelid) ORDER BY ci.relname)
      INTO live_names, live_shapes
      FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
      WHERE i.indrelid = format('pipeline.%I', live)::regclass;
    EXECUTE format('DROP TABLE pipeline.%I', live);
    EXECUTE format('ALTER TABLE pipeline.%I RENAME TO %I', stage, live);
    FOR copied IN
      SELECT ci.relname::text AS name, pipeline.batch_index_shape(i.indexrelid) AS shape
      FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
      WHERE i.indrelid = format('pipeline.%I', live)::regclass
    LOOP
      slot := array_position(live_shapes, copied.shape);
      IF slot IS NOT NULL AND copied.name <> live_names[slot] THEN
        EXECUTE format('ALTER INDEX pipeline.%I RENAME TO %I', copied.name, live_names[slot]);
        live_shapes[slot] := NULL;
      END IF;
    END LOOP;
  END LOOP;
  DELETE FROM pipeline.batch_stages WHERE token = p_token;
  RETURN true;
END
$$;

-- Functions are executable by PUBLIC by default: these are for the schema's owner only. Each returns
-- true, a value every Data API engine maps (a void result is not portable).
REVOKE EXECUTE ON FUNCTION pipeline.drop_batch_stage(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pipeline.create_batch_stage(text, interval) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pipeline.swap_in_batch_stage(text) FROM PUBLIC;
