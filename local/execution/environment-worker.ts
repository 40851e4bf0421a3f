/**
 * The inside of one execution environment (a worker thread): loads the function's bundle once, as
 * Lambda's Node.js runtime does at a cold start, then runs one invocation at a time with a Lambda
 * context. Everything the function writes (Powertools JSON lines, EMF metrics, console output) is
 * captured, line by line, and handed back with the invocation it was written during.
 *
 * Built by esbuild into the bundles folder (`environment-worker.mjs`), so an environment starts in
 * tens of milliseconds without a TypeScript loader.
 */
import inspector from 'node:inspector';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { createLambdaContext } from '../lambda-context.js';
import {
  type EnvironmentMessage,
  type EnvironmentSpec,
  functionErrorOf,
  type InvokeMessage,
} from './environment-protocol.js';

const spec = workerData as EnvironmentSpec;
const port = parentPort;
if (!port) throw new Error('environment-worker runs as a worker thread');

// As `node --enable-source-maps`: stack traces name the TypeScript sources.
process.setSourceMapsEnabled(true);

let written = '';
const capture = (chunk: unknown, encoding?: unknown, done?: unknown): boolean => {
  written += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  const callback = [encoding, done].find((value) => typeof value === 'function') as (() => void) | undefined;
  callback?.();
  return true;
};
process.stdout.write = capture as typeof process.stdout.write;
process.stderr.write = capture as typeof process.stderr.write;

/** The complete lines written so far; a line still being written waits for its end. */
function takeLines(): string[] {
  const end = written.lastIndexOf('\n');
  if (end < 0) return [];
  const lines = written.slice(0, end).split('\n');
  written = written.slice(end + 1);
  return lines.filter((line) => line.length > 0);
}

function post(message: EnvironmentMessage): void {
  port?.postMessage(message);
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function load(): Promise<Handler | undefined> {
  let inspectorUrl: string | undefined;
  if (spec.inspectPort !== undefined) {
    inspector.open(spec.inspectPort, '127.0.0.1');
    inspectorUrl = inspector.url();
  }
  try {
    const module = (await import(pathToFileURL(spec.entryPath).href)) as { handler?: Handler };
    if (typeof module.handler !== 'function') throw new Error(`${spec.entryPath} exports no handler`);
    post({ kind: 'ready', inspectorUrl });
    return module.handler;
  } catch (error) {
    post({ kind: 'init-failed', error: functionErrorOf(error), logs: takeLines() });
    return undefined;
  }
}

/** How often the lines of an invocation under way are handed over. */
const LOG_FLUSH_MS = 250;

const handler = await load();
if (handler) {
  setInterval(() => {
    const lines = takeLines();
    if (lines.length > 0) post({ kind: 'log', lines });
  }, LOG_FLUSH_MS).unref();
  const sizing = {
    name: spec.functionName,
    memorySize: spec.memorySize,
    timeoutSeconds: spec.timeoutSeconds,
    region: spec.region,
  };
  port.on('message', async (message: InvokeMessage) => {
    const context = createLambdaContext(sizing);
    const started = performance.now();
    const requestId = context.awsRequestId;
    console.log(`START RequestId: ${requestId} Version: $LATEST`);
    let answer: { ok: true; result: unknown } | { ok: false; error: ReturnType<typeof functionErrorOf> };
    try {
      answer = { ok: true, result: await handler(message.event, context) };
    } catch (error) {
      answer = { ok: false, error: functionErrorOf(error) };
      // What Lambda's runtime logs for a function error.
      console.log(
        JSON.stringify({
          timestamp: new Date().toISOString(),
          level: 'ERROR',
          requestId,
          message: 'Invoke Error',
          ...answer.error,
        }),
      );
    }
    const durationMs = performance.now() - started;
    console.log(`END RequestId: ${requestId}`);
    console.log(
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tMemory Size: ${spec.memorySize} MB`,
    );
    post({ kind: 'done', ...answer, logs: takeLines(), durationMs });
  });
}
