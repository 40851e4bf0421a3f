/**
 * One execution environment of a function, seen from the runtime: a worker thread with the function's
 * own variables as its `process.env`, its memory as the heap limit, that loaded the function's bundle
 * once and runs one invocation at a time. An invocation still running at the function's timeout ends
 * the environment (the thread is terminated, as Lambda discards it) and fails with Lambda's message.
 */
import { Worker } from 'node:worker_threads';
import type { EnvironmentMessage, EnvironmentSpec } from './environment-protocol.js';
import type { InvocationOutcome } from './invocation.js';

/** An environment's invocation: the outcome, and whether it ended the environment. */
export interface EnvironmentInvocation {
  readonly outcome: InvocationOutcome;
  readonly timedOut: boolean;
}

export class ExecutionEnvironment {
  readonly id: string;
  /** Set once the thread has ended or is ending: the environment takes no more invocations. */
  private ended = false;
  private readonly worker: Worker;
  private readonly exited: Promise<number>;
  /** Lines the invocation under way has handed over so far, and who is told of them as they come. */
  private written: string[] = [];
  private onLines?: ((lines: readonly string[]) => void) | undefined;
  /** The answer to the invocation under way, or to the start. */
  private pending?: (message: EnvironmentMessage | { kind: 'exit'; code: number; error?: Error }) => void;

  /**
   * @param spec - the function, its bundle and sizing
   * @param env - exactly the function's environment variables
   * @param workerScript - the built `environment-worker.mjs`
   */
  private constructor(
    readonly spec: EnvironmentSpec,
    env: Readonly<Record<string, string>>,
    workerScript: string,
  ) {
    this.id = spec.environmentId;
    this.worker = new Worker(workerScript, {
      workerData: spec,
      env: { ...env },
      resourceLimits: { maxOldGenerationSizeMb: spec.memorySize },
      name: spec.environmentId,
    });
    let lastError: Error | undefined;
    this.worker.on('message', (message: EnvironmentMessage) => {
      if (message.kind === 'log') {
        this.written.push(...message.lines);
        this.onLines?.(message.lines);
      } else this.pending?.(message);
    });
    this.worker.on('error', (error) => {
      lastError = error;
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.ended = true;
        this.pending?.({ kind: 'exit', code, error: lastError });
        resolve(code);
      });
    });
  }

  /**
   * Starts an environment and waits for its cold start (the bundle loaded).
   *
   * @returns the environment, and the inspector's URL with `--inspect`
   * @throws the function's init error, with what it logged
   */
  static async start(
    spec: EnvironmentSpec,
    env: Readonly<Record<string, string>>,
    workerScript: string,
  ): Promise<{ environment: ExecutionEnvironment; inspectorUrl?: string }> {
    const environment = new ExecutionEnvironment(spec, env, workerScript);
    const first = await environment.next();
    if (first.kind === 'ready') return { environment, inspectorUrl: first.inspectorUrl };
    await environment.end();
    let detail = 'it stopped before loading';
    if (first.kind === 'init-failed') detail = `${first.error.errorType}: ${first.error.errorMessage}`;
    if (first.kind === 'exit')
      detail = `the thread exited (code ${first.code})${first.error ? `: ${first.error.message}` : ''}`;
    const logs = first.kind === 'init-failed' ? first.logs : [];
    throw new InitError(`${spec.functionName}: the environment did not start: ${detail}`, logs);
  }

  get alive(): boolean {
    return !this.ended;
  }

  /**
   * Runs one invocation; at the timeout the environment is ended and the invocation fails.
   *
   * @param event - the function's event
   * @param onLines - told of the lines the function writes as they come (every 250 ms), the last ones
   *   included; the outcome's `logs` holds them all again
   */
  async invoke(event: unknown, onLines?: (lines: readonly string[]) => void): Promise<EnvironmentInvocation> {
    this.onLines = onLines;
    const started = performance.now();
    const { timeoutSeconds } = this.spec;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000);
    });
    const answer = this.next();
    this.worker.postMessage({ kind: 'invoke', event });
    const first = await Promise.race([answer, timedOut]);
    clearTimeout(timer);
    this.onLines = undefined;
    const durationMs = performance.now() - started;
    const written = this.written.splice(0);
    if (first === 'timeout') {
      await this.end();
      const message = `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
      const last = `${new Date().toISOString()} ${message}`;
      onLines?.([last]);
      return {
        timedOut: true,
        outcome: {
          ok: false,
          error: { errorType: 'Sandbox.Timedout', errorMessage: message },
          logs: [...written, last],
          durationMs,
        },
      };
    }
    if (first.kind === 'done') {
      onLines?.(first.logs);
      const logs = [...written, ...first.logs];
      const outcome: InvocationOutcome = first.ok
        ? { ok: true, result: first.result, logs, durationMs: first.durationMs }
        : {
            ok: false,
            error: first.error ?? { errorType: 'Error', errorMessage: 'unknown error' },
            logs,
            durationMs: first.durationMs,
          };
      return { timedOut: false, outcome };
    }
    // The thread ended under the invocation (out of memory, process.exit): Lambda's Runtime.ExitError.
    const why = first.kind === 'exit' && first.error ? first.error.message : 'the environment ended';
    return {
      timedOut: false,
      outcome: {
        ok: false,
        error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${this.id} Error: ${why}` },
        logs: written,
        durationMs,
      },
    };
  }

  /** Ends the thread (an invocation under way is cut off). */
  async end(): Promise<void> {
    this.ended = true;
    await this.worker.terminate();
    await this.exited;
  }

  private next(): Promise<EnvironmentMessage | { kind: 'exit'; code: number; error?: Error }> {
    return new Promise((resolve) => {
      if (this.ended && this.pending === undefined) {
        resolve({ kind: 'exit', code: 1 });
        return;
      }
      this.pending = (message) => {
        this.pending = undefined;
        resolve(message);
      };
    });
  }
}

/** A function's module could not be loaded (a broken bundle, an error at import). */
export class InitError extends Error {
  override readonly name = 'Runtime.ImportModuleError';

  /** @param logs - what the function wrote while it loaded */
  constructor(
    message: string,
    readonly logs: readonly string[],
  ) {
    super(message);
  }
}
