/**
 * Data API transactions: each ID owns a dedicated connection that has run `BEGIN`.
 *
 * Calls on one ID run one after another (a promise queue), an idle timer rolls a forgotten
 * transaction back, and a transaction that ended — committed, rolled back, expired, or whose
 * connection broke — is unknown from then on (`TransactionNotFoundException`). A transaction
 * belongs to the secret that began it: another secret cannot use its ID. Open transactions are
 * capped per pool and in all, since each holds a connection.
 */
import { randomBytes } from 'node:crypto';
import { debuglog } from 'node:util';
import type pg from 'pg';
import { DataApiError, isConnectionFailure } from './errors.js';

const log = debuglog('data-api');

/** The state of one open transaction. */
export interface OpenTransaction {
  readonly id: string;
  /** The secret that began it; only that secret may use it. */
  readonly secretArn: string;
  readonly database: string;
  readonly client: pg.PoolClient;
  /** Set when a statement may have left session state behind; the connection is then discarded. */
  sessionDirty: boolean;
}

interface TransactionEntry extends OpenTransaction {
  readonly poolKey: string;
  readonly startedAt: number;
  tail: Promise<unknown>;
  pending: number;
  idleTimer: NodeJS.Timeout | undefined;
  ended: boolean;
  readonly onClientError: (error: Error) => void;
}

/** Expiry and caps of transactions. */
export interface TransactionLimits {
  /** Roll back after this long without a call (3 minutes on AWS). */
  readonly idleTimeoutMs: number;
  /** Roll back at the next call after this long in total (24 hours on AWS). */
  readonly maxLifetimeMs: number;
  /** Open transactions per pool (one role on one database). */
  readonly maxOpenPerPool: number;
  /** Open transactions over all pools. */
  readonly maxOpen: number;
}

/** The pool a transaction takes its connection from. */
export interface TransactionPool {
  /** Identifies the pool (role and database) for the per-pool cap. */
  readonly key: string;
  /** The database name, checked against later calls. */
  readonly name: string;
  readonly pool: pg.Pool;
}

/** Registry of open transactions, keyed by their ID. */
export class TransactionRegistry {
  private readonly open = new Map<string, TransactionEntry>();
  /** Transactions open or being begun, per pool key and in all. */
  private readonly heldPerPool = new Map<string, number>();
  private held = 0;

  constructor(private readonly limits: TransactionLimits) {}

  /** Number of open transactions (for diagnostics and tests). */
  get size(): number {
    return this.open.size;
  }

  /**
   * Checks out a connection from the pool, runs `BEGIN` and registers the transaction.
   *
   * @param target - the pool of the transaction's role and database
   * @param secretArn - the secret of the request; later calls must use the same one
   * @returns the new transaction ID
   * @throws DataApiError `ThrottlingException` (429) when a cap on open transactions is reached
   */
  async begin(target: TransactionPool, secretArn: string): Promise<string> {
    this.hold(target.key);
    let client: pg.PoolClient;
    try {
      client = await target.pool.connect();
    } catch (error) {
      this.unhold(target.key);
      throw error;
    }
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release(isConnectionFailure(error) ? toError(error) : undefined);
      this.unhold(target.key);
      throw error;
    }
    // AWS IDs are long opaque strings; 138 random bytes give 184 base64 characters.
    const id = randomBytes(138).toString('base64');
    const entry: TransactionEntry = {
      id,
      secretArn,
      database: target.name,
      poolKey: target.key,
      client,
      sessionDirty: false,
      startedAt: Date.now(),
      tail: Promise.resolve(),
      pending: 0,
      idleTimer: undefined,
      ended: false,
      // A checked-out client reports a dropped connection as an 'error' event; without a listener
      // that would crash the process.
      onClientError: (error) => {
        log('transaction connection failed: %s', error.message);
        void this.end(entry, 'discard');
      },
    };
    client.on('error', entry.onClientError);
    this.open.set(id, entry);
    this.armIdleTimer(entry);
    return id;
  }

  /**
   * Runs `work` on the transaction's connection after every earlier call on the same ID finished.
   *
   * @param id - the transaction ID from the request
   * @param secretArn - the request's secret; it must be the one that began the transaction
   * @param database - the request's `database`, if any; it must match the transaction's
   * @param work - the statement(s) to run
   * @throws DataApiError `TransactionNotFoundException` for unknown, ended or expired IDs, and for
   *   an ID another secret began
   */
  run<T>(
    id: string,
    secretArn: string,
    database: string | undefined,
    work: (tx: OpenTransaction) => Promise<T>,
  ): Promise<T> {
    const entry = this.lookup(id, secretArn);
    if (database !== undefined && database !== entry.database) {
      throw new DataApiError(
        'BadRequestException',
        `Transaction ${shortId(id)} belongs to database "${entry.database}", not "${database}".`,
      );
    }
    return this.enqueue(entry, async () => {
      try {
        return await work(entry);
      } catch (error) {
        if (isConnectionFailure(error)) await this.end(entry, 'discard');
        throw error;
      }
    });
  }

  /**
   * Commits and forgets the transaction.
   *
   * PostgreSQL answers `COMMIT` of a failed transaction with a silent rollback; that is reported as
   * a `DatabaseErrorException` so the caller cannot mistake it for a commit.
   *
   * @param id - the transaction ID
   * @param secretArn - the request's secret
   */
  commit(id: string, secretArn: string): Promise<void> {
    const entry = this.lookup(id, secretArn);
    return this.enqueue(entry, async () => {
      entry.ended = true;
      this.forget(entry);
      try {
        const result = await entry.client.query('COMMIT');
        if (result.command === 'ROLLBACK') {
          throw new DataApiError(
            'DatabaseErrorException',
            'ERROR: The transaction was rolled back instead of committed because a statement in it failed.' +
              '; SQLState: 25P02',
          );
        }
        this.release(entry, 'keep');
      } catch (error) {
        this.release(entry, isConnectionFailure(error) ? 'discard' : 'keep');
        throw error;
      }
    });
  }

  /**
   * Rolls back and forgets the transaction.
   *
   * @param id - the transaction ID
   * @param secretArn - the request's secret
   */
  rollback(id: string, secretArn: string): Promise<void> {
    const entry = this.lookup(id, secretArn);
    return this.enqueue(entry, () => this.end(entry, 'rollback'));
  }

  /** Rolls back every open transaction (server shutdown). */
  async rollbackAll(): Promise<void> {
    await Promise.allSettled(
      [...this.open.values()].map((entry) => entry.tail.then(() => this.end(entry, 'rollback'))),
    );
  }

  private lookup(id: string, secretArn: string): TransactionEntry {
    const entry = this.open.get(id);
    // Another secret's transaction is "not found", as if the ID did not exist.
    if (!entry || entry.ended || entry.secretArn !== secretArn) throw notFound(id);
    if (Date.now() - entry.startedAt > this.limits.maxLifetimeMs) {
      // Queued behind running calls, so the rollback never overtakes a statement still in flight.
      this.enqueue(entry, () => this.end(entry, 'rollback')).catch(() => undefined);
      throw notFound(id);
    }
    return entry;
  }

  /** Serialises calls per transaction; the idle timer only runs while nothing is queued. */
  private enqueue<T>(entry: TransactionEntry, work: () => Promise<T>): Promise<T> {
    entry.pending += 1;
    clearTimeout(entry.idleTimer);
    const result = entry.tail.then(() => {
      if (entry.ended) throw notFound(entry.id);
      return work();
    });
    entry.tail = result.catch(() => undefined);
    return result.finally(() => {
      entry.pending -= 1;
      if (entry.pending === 0 && !entry.ended) this.armIdleTimer(entry);
    });
  }

  private armIdleTimer(entry: TransactionEntry): void {
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => {
      if (entry.pending > 0 || entry.ended) return;
      log('transaction %s idle for %d ms, rolling back', shortId(entry.id), this.limits.idleTimeoutMs);
      void this.end(entry, 'rollback');
    }, this.limits.idleTimeoutMs);
    // A pending expiry must not keep the process alive.
    entry.idleTimer.unref();
  }

  /** Ends the transaction: optionally rolls back, then returns or destroys its connection. */
  private async end(entry: TransactionEntry, how: 'rollback' | 'discard'): Promise<void> {
    // Already ended by another path (commit in progress, idle expiry, a connection error event).
    if (entry.ended) return;
    entry.ended = true;
    this.forget(entry);
    clearTimeout(entry.idleTimer);
    if (how === 'discard') {
      this.release(entry, 'discard');
      return;
    }
    try {
      await entry.client.query('ROLLBACK');
      this.release(entry, 'keep');
    } catch (error) {
      log('rollback of %s failed: %s', shortId(entry.id), toError(error).message);
      this.release(entry, 'discard');
    }
  }

  /** Reserves a place for a new transaction, or refuses it when a cap is reached. */
  private hold(poolKey: string): void {
    const inPool = this.heldPerPool.get(poolKey) ?? 0;
    if (inPool >= this.limits.maxOpenPerPool || this.held >= this.limits.maxOpen) {
      const [cap, scope] =
        inPool >= this.limits.maxOpenPerPool
          ? [this.limits.maxOpenPerPool, 'for this secret and database']
          : [this.limits.maxOpen, 'on this server'];
      throw new DataApiError(
        'ThrottlingException',
        `Too many open transactions ${scope} (${cap}): commit or roll back one, or wait until an idle ` +
          `one is rolled back after ${this.limits.idleTimeoutMs} ms.`,
      );
    }
    this.heldPerPool.set(poolKey, inPool + 1);
    this.held += 1;
  }

  private unhold(poolKey: string): void {
    const inPool = (this.heldPerPool.get(poolKey) ?? 1) - 1;
    if (inPool > 0) this.heldPerPool.set(poolKey, inPool);
    else this.heldPerPool.delete(poolKey);
    this.held -= 1;
  }

  /** Removes an ending transaction from the registry and frees its place under the caps. */
  private forget(entry: TransactionEntry): void {
    if (this.open.delete(entry.id)) this.unhold(entry.poolKey);
  }

  private release(entry: TransactionEntry, how: 'keep' | 'discard'): void {
    clearTimeout(entry.idleTimer);
    entry.client.removeListener('error', entry.onClientError);
    const discard = how === 'discard' || entry.sessionDirty;
    try {
      entry.client.release(discard ? new Error('connection discarded by the local Data API') : undefined);
    } catch (error) {
      // Releasing twice throws in pg-pool; the connection is gone either way.
      log('release of %s: %s', shortId(entry.id), toError(error).message);
    }
  }
}

function notFound(id: string): DataApiError {
  return new DataApiError('TransactionNotFoundException', `Transaction ${shortId(id)} is not found`);
}

/** Transaction IDs are long; messages and logs show a recognisable prefix. */
function shortId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 16)}…` : id;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
