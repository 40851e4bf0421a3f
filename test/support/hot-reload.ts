/**
 * The hot-reload loop as a developer runs it, for the end-to-end test: `npm run watch:localstack`
 * building the api from a scratch copy of the functions tree (the working tree is never touched) into
 * the folders the deployed functions run from, and saves that change what the api answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS_SOURCE_DIR } from '../../lib/function-bundles.js';
import { projectPath } from '../../lib/project-paths.js';

/** The path at which {@link ScratchFunctions.saveApiHandlerReportingEnvironment}'s api answers its `process.env`. */
export const ENVIRONMENT_PATH = '/_test/environment';

/** The response header a scratch save adds to every answer of the api. */
export const SAVE_HEADER = 'x-hot-reload-save';

/**
 * A copy of the functions tree laid out as in the repository (`<dir>/functions`, `<dir>/tsconfig.json`),
 * whose api handler can be replaced by one that marks its answers.
 */
export class ScratchFunctions {
  readonly functionsDir: string;
  private readonly apiDir: string;
  private readonly processorDir: string;

  /** @param dir - an empty folder, e.g. in the test's temporary folder */
  constructor(dir: string) {
    this.functionsDir = join(dir, 'functions');
    this.apiDir = join(this.functionsDir, 'api');
    this.processorDir = join(this.functionsDir, 'processor');
    cpSync(FUNCTIONS_SOURCE_DIR, this.functionsDir, { recursive: true });
    copyFileSync(join(this.processorDir, 'handler.ts'), join(this.processorDir, 'served-handler.ts'));
    // The dashboard's tsconfig extends the repository's, two levels above functions/.
    copyFileSync(projectPath('tsconfig.json'), join(dir, 'tsconfig.json'));
    // The handler as it is, under another name: the saves wrap it.
    copyFileSync(join(this.apiDir, 'handler.ts'), join(this.apiDir, 'served-handler.ts'));
  }

  /**
   * Saves an api handler whose answers carry {@link SAVE_HEADER} with the given value, the way an editor
   * saves (a new file renamed over the old one).
   *
   * @param value - what the header says, e.g. `save-1`
   */
  saveApiHandlerMarking(value: string): void {
    saveAsEditorDoes(join(this.apiDir, 'handler.ts'), [
      "import type { APIGatewayProxyEvent, Context } from 'aws-lambda';",
      "import { handler as served } from './served-handler.js';",
      '',
      'export const handler = async (event: APIGatewayProxyEvent, context?: Context) => {',
      '  const response = await served(event, context);',
      `  return { ...response, headers: { ...response.headers, '${SAVE_HEADER}': '${value}' } };`,
      '};',
    ]);
  }

  /**
   * Saves an api handler that answers {@link ENVIRONMENT_PATH} with the `process.env` and thread it
   * runs in, and every other path as the api does.
   */
  saveApiHandlerReportingEnvironment(): void {
    saveAsEditorDoes(join(this.apiDir, 'handler.ts'), [
      "import { threadId } from 'node:worker_threads';",
      "import type { APIGatewayProxyEvent, Context } from 'aws-lambda';",
      "import { handler as served } from './served-handler.js';",
      '',
      'export const handler = async (event: APIGatewayProxyEvent, context?: Context) =>',
      `  event.path === '${ENVIRONMENT_PATH}'`,
      '    ? { statusCode: 200, body: JSON.stringify({ threadId, env: process.env }) }',
      '    : served(event, context);',
    ]);
  }

  /** Saves an api handler that does not compile. */
  saveBrokenApiHandler(): void {
    saveAsEditorDoes(join(this.apiDir, 'handler.ts'), ['export const handler = async (event => {']);
  }

  /**
   * Saves a processor handler whose invocation hangs, ignoring its deadline, while `file` exists (it
   * removes the file first): the first environment to take a batch then times out, and the next
   * processes it.
   *
   * @param file - a path in the test's folder, created by this call
   */
  saveProcessorHandlerHangingOnce(file: string): void {
    writeFileSync(file, 'hang once');
    saveAsEditorDoes(join(this.processorDir, 'handler.ts'), [
      "import { existsSync, rmSync } from 'node:fs';",
      "import type { Context, KinesisStreamEvent } from 'aws-lambda';",
      "import { handler as served } from './served-handler.js';",
      '',
      'export const handler = async (event: KinesisStreamEvent, context: Context) => {',
      `  if (existsSync(${JSON.stringify(file)})) {`,
      `    rmSync(${JSON.stringify(file)});`,
      '    await new Promise(() => undefined);',
      '  }',
      '  return served(event, context);',
      '};',
    ]);
  }
}

/** Writes a new file and renames it over the old one, the way an editor saves. */
function saveAsEditorDoes(path: string, lines: readonly string[]): void {
  writeFileSync(`${path}.saving`, [...lines, ''].join('\n'));
  renameSync(`${path}.saving`, path);
}

/** `npm run watch:localstack` running in its own process group, its output kept in a log file. */
export class BundleWatcher {
  private readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    logFile: string,
  ) {
    const log = createWriteStream(logFile, { flags: 'a' });
    let pending = '';
    const collect = (chunk: Buffer) => {
      log.write(chunk);
      const text = pending + chunk.toString('utf8');
      const complete = text.split('\n');
      pending = complete.pop() ?? '';
      this.lines.push(...complete);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => log.end());
  }

  /**
   * Starts the watcher on some functions.
   *
   * @param options - the sources, the hot-reload folders, the functions, and where its output goes
   */
  static start(options: {
    functionsDir: string;
    bundlesDir: string;
    functions: readonly string[];
    logFile: string;
  }): BundleWatcher {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        projectPath('scripts', 'watch-localstack.ts'),
        '--functions-dir',
        options.functionsDir,
        '--hot-reload-dir',
        options.bundlesDir,
        ...options.functions,
      ],
      { cwd: projectPath(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new BundleWatcher(child, options.logFile);
  }

  /** How many lines it has printed so far. */
  get lineCount(): number {
    return this.lines.length;
  }

  /**
   * Waits for a line matching `pattern` among those printed from line `from` on.
   *
   * @returns the line
   */
  async waitForLine(pattern: RegExp, timeoutMs: number, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.slice(from).find((candidate) => pattern.test(candidate));
      if (line) return line;
      const code = await Promise.race([
        this.exited,
        new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 50)),
      ]);
      if (code !== 'running') throw new Error(`the watcher exited (${code}):\n${this.lines.join('\n')}`);
      if (Date.now() > deadline) {
        throw new Error(`no watcher line like ${pattern} within ${timeoutMs} ms:\n${this.lines.join('\n')}`);
      }
    }
  }

  /** Stops it (Ctrl-C; killed when it does not end within 10 s) and waits until it has exited. */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (this.child.exitCode !== null || this.child.signalCode !== null || !pid) return;
    process.kill(-pid, 'SIGINT');
    const killer = setTimeout(() => process.kill(-pid, 'SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killer);
  }
}
