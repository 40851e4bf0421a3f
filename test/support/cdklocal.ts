/**
 * Runs the project's `cdklocal` (aws-cdk-local) with its output streamed to a log file; on failure the
 * error carries the log's last lines and its path.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CDKLOCAL = fileURLToPath(new URL('../../node_modules/.bin/cdklocal', import.meta.url));
const TAIL_LINES = 60;

/**
 * The context and output flags of a LocalStack deployment: the stack's own name, the gateway its
 * `ApiPathUrl` output names, the Data API endpoint its functions reach, and a cdk.out of its own.
 */
export function localStackDeployContext(
  stackName: string,
  gateway: string,
  dataApiEndpoint: string,
  outputDir: string,
): string[] {
  return [
    '-c',
    'target=localstack',
    '-c',
    `stackName=${stackName}`,
    '-c',
    `localstackGateway=${gateway}`,
    '-c',
    `dataApiEndpoint=${dataApiEndpoint}`,
    '--output',
    outputDir,
    '--no-notices',
  ];
}

export interface CdkLocalRun {
  /** cdklocal's arguments, e.g. `['deploy', 'MyStack', '--require-approval', 'never']`. */
  args: string[];
  /** Added to the test process's environment. */
  env: Record<string, string>;
  /** Where stdout and stderr go. */
  logFile: string;
  timeoutMs: number;
}

/**
 * @returns when cdklocal exited with 0
 * @throws Error with the log tail when it failed, was killed or outlived `timeoutMs`
 */
export async function runCdkLocal({ args, env, logFile, timeoutMs }: CdkLocalRun): Promise<void> {
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise<void>((resolve, reject) => log.once('open', () => resolve()).once('error', reject));
  log.write(`$ cdklocal ${args.join(' ')}\n`);
  const child = spawn(CDKLOCAL, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...env,
      // No prompts, no calls home: the CLI's notices, version check and telemetry.
      CI: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      FORCE_COLOR: '0',
    },
    // Its own process group, so that a timeout ends cdk, the app (tsx) and esbuild together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, timeoutMs);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    },
  );
  clearTimeout(timer);
  await new Promise<void>((resolve) => log.end(resolve));
  if (exit.code === 0) return;

  const why = timedOut
    ? `did not finish within ${Math.round(timeoutMs / 1000)} s`
    : exit.error
      ? `could not start (${exit.error.message})`
      : `exited with ${exit.code ?? exit.signal}`;
  throw new Error(`cdklocal ${args[0]} ${why}; last lines of ${logFile}:\n${await tail(logFile)}`);
}

async function tail(file: string): Promise<string> {
  try {
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    return lines.slice(-TAIL_LINES).join('\n');
  } catch (error) {
    return `(cannot read the log: ${(error as Error).message})`;
  }
}
