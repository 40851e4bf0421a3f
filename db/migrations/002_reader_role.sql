-- The read API's database identity: `pipeline_reader` may SELECT the tables the API serves and
-- nothing else (not the ledger, not the author baselines, not the applied-migrations record).
-- Run by the schema's owner: on AWS the cluster's master user, which creates the role here;
-- locally the database service creates it beforehand (it alone holds the superuser), so only the
-- grants below come from this file. The role's password is its secret's, set outside SQL.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pipeline_reader') THEN
    CREATE ROLE pipeline_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
    -- Below the grants: also refuses what no grant covers, such as creating large objects.
    ALTER ROLE pipeline_reader SET default_transaction_read_only = on;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA pipeline TO pipeline_reader;

GRANT SELECT ON pipeline.group_stats, pipeline.window_stats, pipeline.suspicious_commits TO pipeline_reader;

-- PUBLIC may create temporary tables in every database by default, and in the public schema before
-- PostgreSQL 15; the owner keeps both as the database's owner.
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  END IF;
END
$$;
