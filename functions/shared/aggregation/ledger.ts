/**
 * The ledger of counted commits (`pipeline.ingested_commits`), written by one statement: the processor
 * claims a stream batch's ids in it, the batch layer fills its staging copy with the archive's first
 * arrivals. An id already there stays as it is; the ids go in sorted, so concurrent shards lock their
 * ledger rows in the same order.
 */
import type { SqlExecutor } from '../database/data-api.js';
import { jsonChunks } from '../database/json-chunks.js';
import { settings } from '../settings.js';

/** The ledger's table. */
export const LEDGER_TABLE = 'pipeline.ingested_commits';

/**
 * Adds ids to a ledger, in statements of at most `settings.database.maxJsonParameterBytes` of ids and
 * `settings.database.maxLedgerIdsPerStatement` ids each. The answer of each statement is one row
 * holding a flag per input position, not a row per id: it stays under the Data API's 64 KB row and
 * 1 MiB response limits whatever the ids' length.
 *
 * @param tx - where the statements run (the processor's transaction, or the owner's connection)
 * @param ids - commit ids, in any order, repeats allowed
 * @param target - the ledger written, e.g. a staging copy @default {@link LEDGER_TABLE}
 * @returns a flag per id, in the order given: `'1'` when this call added it (at every position it
 *   holds in `ids`), `'0'` when the ledger held it already
 * @example await claimLedgerIds(tx, ['a', 'b', 'a']) // '111' on an empty ledger, '000' the second time
 */
export async function claimLedgerIds(
  tx: SqlExecutor,
  ids: readonly string[],
  target = LEDGER_TABLE,
): Promise<string> {
  let flags = '';
  for (const chunk of ledgerChunks(ids)) {
    const [row] = await tx.query<{ new_flags: string | null }>(
      `WITH input AS (
         SELECT id, ord FROM jsonb_array_elements_text(:ids::jsonb) WITH ORDINALITY AS t(id, ord)
       ), claimed AS (
         INSERT INTO ${target} (commit_id)
         SELECT DISTINCT id FROM input ORDER BY id
         ON CONFLICT (commit_id) DO NOTHING
         RETURNING commit_id
       )
       SELECT string_agg(CASE WHEN c.commit_id IS NULL THEN '0' ELSE '1' END, '' ORDER BY i.ord) AS new_flags
       FROM input i LEFT JOIN claimed c ON c.commit_id = i.id`,
      { ids: chunk },
    );
    flags += row?.new_flags ?? '';
  }
  return flags;
}

/** The ids as JSON arrays within both bounds of one statement, in order. */
function ledgerChunks(ids: readonly string[]): string[] {
  const { maxLedgerIdsPerStatement } = settings.database;
  const chunks: string[] = [];
  for (let start = 0; start < ids.length; start += maxLedgerIdsPerStatement) {
    chunks.push(...jsonChunks(ids.slice(start, start + maxLedgerIdsPerStatement)));
  }
  return chunks;
}
