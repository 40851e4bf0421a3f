/**
 * The execution environments of the functions the embedded runtime hosts, reused warm as Lambda reuses
 * them: an invocation takes an idle environment of its function, or starts one while the function has
 * fewer than its concurrency (the processor: one per shard × parallelization-factor lane; the api: a
 * setting), or waits for one. An environment whose invocation timed out is discarded. After a reload
 * (`retire`), new invocations start environments on the new bundle; those still running finish on the
 * old one and are then ended, idle ones at once.
 */
import { join } from 'node:path';
import { ExecutionEnvironment, InitError } from './execution-environment.js';
import type { FunctionLogFiles } from './function-log-files.js';
import type { EmbeddedFunctionName, FunctionInvoker, InvocationOutcome } from './invocation.js';

/** A function the runtime hosts, with what the stack gives it. */
export interface HostedFunction {
  readonly name: EmbeddedFunctionName;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** Exactly its environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** How many environments may run it at the same time (asked at each invocation). */
  readonly concurrency: () => number;
}

/** One invocation as an observer sees it (a test of concurrency, a debugging session). */
export interface InvocationRecord {
  readonly name: EmbeddedFunctionName;
  readonly environmentId: string;
  readonly event: unknown;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly outcome: InvocationOutcome;
  /** The invocation timed out, and its environment was discarded. */
  readonly timedOut: boolean;
}

/** An environment started (with its inspector's URL under `--inspect`) or ended. */
export type EnvironmentEvent =
  | { readonly kind: 'started'; readonly environmentId: string; readonly inspectorUrl?: string }
  | {
      readonly kind: 'ended';
      readonly environmentId: string;
      readonly reason: 'timed out' | 'retired' | 'died';
    };

export interface ExecutionEnvironmentsOptions {
  readonly functions: readonly HostedFunction[];
  /** Each function's bundle is `<bundlesDir>/<function>/index.mjs`. */
  readonly bundlesDir: string;
  /** The built `environment-worker.mjs`. */
  readonly workerScript: string;
  readonly region: string;
  readonly logs: FunctionLogFiles;
  /** Opens an inspector in each environment, on this port and the next ones. */
  readonly inspectPort?: number;
  readonly onEnvironment?: (event: EnvironmentEvent) => void;
}

interface Warm {
  readonly environment: ExecutionEnvironment;
  readonly generation: number;
}

export class ExecutionEnvironments implements FunctionInvoker {
  private readonly functions: Map<EmbeddedFunctionName, FunctionEnvironments>;
  private readonly listeners = new Set<(record: InvocationRecord) => void>();
  private readonly inspectPorts = new Set<number>();
  private started = 0;
  private stopped = false;

  constructor(private readonly options: ExecutionEnvironmentsOptions) {
    this.functions = new Map(options.functions.map((fn) => [fn.name, new FunctionEnvironments(fn)]));
  }

  /**
   * Runs one invocation; its lines reach `<data-dir>/logs/<function>.ndjson`, and `onLines`, as the
   * function writes them (a long invocation's log grows while it runs).
   */
  async invoke(
    name: EmbeddedFunctionName,
    event: unknown,
    onLines?: (lines: readonly string[]) => void,
  ): Promise<InvocationOutcome> {
    const pool = this.functions.get(name);
    if (!pool) throw new Error(`${name} is not hosted by this runtime`);
    if (this.stopped) throw new Error('the runtime is stopping');
    let warm: Warm;
    try {
      warm = await this.acquire(pool);
    } catch (error) {
      if (!(error instanceof InitError)) throw error;
      const logs = [...error.logs, `${error.name}: ${error.message}`];
      this.options.logs.write(name, logs);
      return {
        ok: false,
        error: { errorType: error.name, errorMessage: error.message },
        logs,
        durationMs: 0,
      };
    }
    const startedAt = Date.now();
    const { outcome, timedOut } = await warm.environment.invoke(event, (lines) => {
      this.options.logs.write(name, lines);
      onLines?.(lines);
    });
    if (timedOut) this.ended(warm.environment, 'timed out');
    else if (!warm.environment.alive) this.ended(warm.environment, 'died');
    this.release(pool, warm);
    const record = {
      name,
      environmentId: warm.environment.id,
      event,
      startedAt,
      endedAt: Date.now(),
      outcome,
      timedOut,
    };
    for (const listener of this.listeners) listener(record);
    return outcome;
  }

  /**
   * Calls `listener` after each invocation.
   *
   * @returns stops the calls
   */
  observe(listener: (record: InvocationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The functions' bundles changed: later invocations run in new environments; idle ones end now,
   * busy ones after their invocation. A function that had idle environments gets one new environment
   * started at once, so its next invocation finds the new code loaded.
   */
  retire(names: readonly EmbeddedFunctionName[]): void {
    for (const name of names) {
      const pool = this.functions.get(name);
      if (!pool) continue;
      pool.generation += 1;
      const retired = pool.idle.splice(0);
      for (const warm of retired) void this.retireEnvironment(warm);
      if (retired.length > 0 && !this.stopped) void this.prewarm(pool);
    }
  }

  /** Ends every environment (invocations under way are cut off). */
  async stop(): Promise<void> {
    this.stopped = true;
    const ending: Promise<void>[] = [];
    for (const pool of this.functions.values()) {
      for (const warm of [...pool.idle.splice(0), ...pool.busy]) ending.push(warm.environment.end());
      for (const wake of pool.waiters.splice(0)) wake();
    }
    await Promise.all(ending);
  }

  private async acquire(pool: FunctionEnvironments): Promise<Warm> {
    for (;;) {
      if (this.stopped) throw new Error('the runtime is stopping');
      const warm = pool.idle.pop();
      if (warm) {
        pool.busy.add(warm);
        return warm;
      }
      if (pool.busy.size + pool.starting < pool.fn.concurrency()) return this.startEnvironment(pool);
      await new Promise<void>((resolve) => pool.waiters.push(resolve));
    }
  }

  /** Starts an environment ahead of the invocation that will use it; one that cannot start is left to that invocation to report. */
  private async prewarm(pool: FunctionEnvironments): Promise<void> {
    if (pool.busy.size + pool.starting >= pool.fn.concurrency()) return;
    try {
      this.release(pool, await this.startEnvironment(pool));
    } catch {
      // The next invocation starts one itself, and fails with the reason.
    }
  }

  private async startEnvironment(pool: FunctionEnvironments): Promise<Warm> {
    pool.starting += 1;
    this.started += 1;
    const environmentId = `${pool.fn.name}-${this.started}`;
    const inspectPort = this.takeInspectPort();
    const generation = pool.generation;
    try {
      const { environment, inspectorUrl } = await ExecutionEnvironment.start(
        {
          environmentId,
          functionName: pool.fn.name,
          entryPath: join(this.options.bundlesDir, pool.fn.name, 'index.mjs'),
          memorySize: pool.fn.memorySize,
          timeoutSeconds: pool.fn.timeoutSeconds,
          region: this.options.region,
          inspectPort,
        },
        {
          ...pool.fn.env,
          AWS_LAMBDA_FUNCTION_NAME: pool.fn.name,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(pool.fn.memorySize),
        },
        this.options.workerScript,
      );
      const warm = { environment, generation, inspectPort };
      if (inspectPort !== undefined) this.portOf.set(environment, inspectPort);
      pool.busy.add(warm);
      this.options.onEnvironment?.({ kind: 'started', environmentId, inspectorUrl });
      return warm;
    } catch (error) {
      if (inspectPort !== undefined) this.inspectPorts.delete(inspectPort);
      pool.waiters.shift()?.();
      throw error;
    } finally {
      pool.starting -= 1;
    }
  }

  private release(pool: FunctionEnvironments, warm: Warm): void {
    pool.busy.delete(warm);
    if (!warm.environment.alive) this.freePort(warm.environment);
    else if (warm.generation !== pool.generation || this.stopped) void this.retireEnvironment(warm);
    else pool.idle.push(warm);
    pool.waiters.shift()?.();
  }

  /** Ends an environment that is no longer busy (idle, or just released). */
  private async retireEnvironment(warm: Warm): Promise<void> {
    await warm.environment.end();
    this.ended(warm.environment, 'retired');
  }

  private ended(environment: ExecutionEnvironment, reason: 'timed out' | 'retired' | 'died'): void {
    this.freePort(environment);
    this.options.onEnvironment?.({ kind: 'ended', environmentId: environment.id, reason });
  }

  private readonly portOf = new Map<ExecutionEnvironment, number>();

  private takeInspectPort(): number | undefined {
    const base = this.options.inspectPort;
    if (base === undefined) return undefined;
    let port = base;
    while (this.inspectPorts.has(port)) port += 1;
    this.inspectPorts.add(port);
    return port;
  }

  private freePort(environment: ExecutionEnvironment): void {
    const port = this.portOf.get(environment);
    if (port === undefined) return;
    this.portOf.delete(environment);
    this.inspectPorts.delete(port);
  }
}

/** One function's environments. */
class FunctionEnvironments {
  readonly idle: Warm[] = [];
  readonly busy = new Set<Warm>();
  readonly waiters: Array<() => void> = [];
  starting = 0;
  /** Bumped by a reload: environments of an older one are not reused. */
  generation = 0;

  constructor(readonly fn: HostedFunction) {}
}
