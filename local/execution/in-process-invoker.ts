/**
 * The runtime's functions invoked in its own process, with the handlers it already built: the seam that
 * execution environments of their own (a worker thread per function) replace, behind the same
 * `FunctionInvoker`. Each invocation runs under its function's timeout (lambda-context.ts), and what it
 * writes to stdout and stderr is kept as its logs: the writes are told apart by the asynchronous
 * context they come from, so invocations that overlap (the mapping's batches, an API request) keep
 * their own lines. The writes still reach the runtime's console, as a function's reach CloudWatch.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import { invokeWithTimeout, type LocalFunction } from '../lambda-context.js';
import type {
  EmbeddedFunctionName,
  FunctionError,
  FunctionInvoker,
  InvocationOutcome,
} from './invocation.js';

/** A handler as the runtime calls it. */
export type LocalHandler = (event: unknown, context: Context) => Promise<unknown>;

/** One hosted function: its sizing, and how its handler is built (once, on its first invocation). */
export interface HostedFunction {
  fn: LocalFunction;
  handler: () => LocalHandler;
}

const invocationLogs = new AsyncLocalStorage<string[]>();
let writesCaptured = false;

/** Wraps stdout's and stderr's writes once, so that an invocation's lines are also kept with it. */
function captureWrites(): void {
  if (writesCaptured) return;
  writesCaptured = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      invocationLogs
        .getStore()
        ?.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

export class InProcessInvoker implements FunctionInvoker {
  private readonly handlers = new Map<EmbeddedFunctionName, LocalHandler>();

  /** @param functions - each hosted function, by name */
  constructor(private readonly functions: Readonly<Record<EmbeddedFunctionName, HostedFunction>>) {
    captureWrites();
  }

  async invoke(name: EmbeddedFunctionName, event: unknown): Promise<InvocationOutcome> {
    const hosted = this.functions[name];
    const written: string[] = [];
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    try {
      const result = await invocationLogs.run(written, () =>
        invokeWithTimeout(hosted.fn, (context) => this.handlerOf(name)(event, context)),
      );
      return { ok: true, result, logs: linesOf(written), durationMs: elapsed() };
    } catch (error) {
      return { ok: false, error: functionErrorOf(error), logs: linesOf(written), durationMs: elapsed() };
    }
  }

  private handlerOf(name: EmbeddedFunctionName): LocalHandler {
    let handler = this.handlers.get(name);
    if (!handler) {
      handler = this.functions[name].handler();
      this.handlers.set(name, handler);
    }
    return handler;
  }
}

/**
 * A thrown value in the shape of Lambda's function error payload.
 *
 * @param error - what the handler threw
 */
export function functionErrorOf(error: unknown): FunctionError {
  if (!(error instanceof Error)) return { errorType: 'Error', errorMessage: String(error) };
  const stackTrace = (error.stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter(Boolean);
  return { errorType: error.name, errorMessage: error.message, stackTrace };
}

function linesOf(written: readonly string[]): string[] {
  return written
    .join('')
    .split('\n')
    .filter((line) => line !== '');
}
