/**
 * Every function's Lambda entry point has one shape: `functions/<name>/handler.ts` exports the factory
 * that builds the handler and its collaborators (SDK clients, logger, metrics) from the function's
 * environment, and `export const handler = lambdaEntry(() => createXHandler(process.env))`.
 *
 * The entry builds the handler on the first invocation of an execution environment (its cold start)
 * and every later invocation reuses it. Built then rather than at import, a handler module stays safe to
 * import where the function's environment is not set: the local runtime, the scripts and the tests
 * import the factory beside the entry point. A handler that cannot be built (a variable missing) fails
 * that invocation with the factory's error, and the next invocation tries again.
 */

/** A Lambda handler of the async kind: an event and a context in, a result out. */
export type AsyncHandler<Event, Result, Context> = (event: Event, context: Context) => Promise<Result>;

/**
 * @param create - the factory call, e.g. `() => createProcessorHandler(process.env)`
 * @returns the function Lambda invokes
 * @example export const handler = lambdaEntry(() => createApiHandler(process.env));
 */
export function lambdaEntry<Event, Result, Context>(
  create: () => AsyncHandler<Event, Result, Context>,
): AsyncHandler<Event, Result, Context> {
  let built: AsyncHandler<Event, Result, Context> | undefined;
  return async (event, context) => {
    built ??= create();
    return built(event, context);
  };
}
