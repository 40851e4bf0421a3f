/**
 * A `SqlExecutor` created on first use, so that building the api handler (and serving routes that
 * never touch the database) does not require the database environment.
 */
import type { SqlExecutor } from '../../shared/database/data-api.js';

/**
 * @param create - builds the executor, e.g. `() => dataApiDatabaseFromEnv(env)`
 */
export function lazySqlExecutor(create: () => SqlExecutor): SqlExecutor {
  let executor: SqlExecutor | undefined;
  return {
    query: (sql, params) => {
      executor ??= create();
      return executor.query(sql, params);
    },
  };
}
