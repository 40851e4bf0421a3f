/**
 * Every command line in package.json, run as a person runs it (`npm run <script> -- …`), keeps the
 * conventions of scripts/cli/: `--help` prints a usage made from its definition, a bad command line
 * exits 2 with one message, and each script that acts on a pipeline takes `--target`; a deployed target
 * whose outputs file is missing exits 2 naming the file.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../lib/project-paths.js';
import { runCli } from '../support/cli-process.js';

const scripts = (
  JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The scripts that act on a pipeline, with the arguments each needs besides its flags. */
const ACTS_ON_PIPELINE: Readonly<Record<string, readonly string[]>> = {
  start: [],
  /** `npm start -- --watch`. */
  dev: [],
  replay: [],
  'replay:deployed': [],
  redrive: [],
  reconcile: [],
  rebuild: [],
  'archive:sql': ['SELECT 1'],
  logs: ['api'],
  // Any JSON file will do as the event: the target is looked for once the event is read.
  invoke: ['api', '--event', 'package.json'],
  migrate: [],
  'migrate:deployed': [],
};

/** Command lines that act on no pipeline: the same usage and exit codes, no `--target`. */
const ACTS_ON_NO_PIPELINE = ['generate-sample', 'watch:localstack', 'event'];

/** Scripts that run a TypeScript entry but are no command line of these conventions, and why. */
const NOT_COMMAND_LINES: Readonly<Record<string, string>> = {
  'deploy:localstack': 'a wrapper whose flags go to cdklocal deploy',
  'build:dashboard': 'a build step without flags',
  bench: 'a benchmark: it starts pipelines of its own and prints figures',
  'bench:api': 'a benchmark: it starts pipelines of its own and puts their API under load',
  'bench:shards': 'a benchmark: it starts pipelines of its own with other shard counts',
  'bench:localstack': 'a benchmark that deploys a stack of its own',
  'bench:hot-reload': 'a benchmark that deploys a stack of its own',
  'bench:dev-reload':
    'a benchmark: it starts a pipeline of its own and saves a scratch copy of the functions',
};

/** The scripts whose command runs a TypeScript file (`tsx x.ts`, `node --import tsx x.ts`). */
const typeScriptEntries = Object.keys(scripts).filter((name) =>
  /\btsx\s+\S+\.ts\b/.test(scripts[name] ?? ''),
);

let dir: string;
let missingOutputs: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-conventions-'));
  missingOutputs = join(dir, 'no-such-outputs.json');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `npm run --silent <script> -- <args>`: its exit code and output. */
async function npmRun(script: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const run = runCli('', args, ['npm', 'run', '--silent', script, '--']);
  const { code } = await run.exited;
  return { code, output: run.output() };
}

describe('the command lines of package.json', () => {
  it('are each known as acting on a pipeline, on none, or as no command line', () => {
    const known = [
      ...Object.keys(ACTS_ON_PIPELINE),
      ...ACTS_ON_NO_PIPELINE,
      ...Object.keys(NOT_COMMAND_LINES),
    ];
    expect(typeScriptEntries.sort()).toEqual(known.sort());
  });
});

describe.concurrent('every command line that acts on a pipeline', () => {
  it.each(Object.keys(ACTS_ON_PIPELINE))('%s: --help prints its usage with --target', async (script) => {
    const { code, output } = await npmRun(script, ['--help']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^Usage: npm (start|run \S+) -- /);
    expect(output).toMatch(/^ {2}--target /m);
    expect(output).toContain('Exit status: 0 done; 1 ');
  });

  it.each(Object.keys(ACTS_ON_PIPELINE))('%s: a flag it does not know exits 2, naming it', async (script) => {
    const { code, output } = await npmRun(script, ['--no-such-flag']);
    expect(code, output).toBe(2);
    expect(output).toContain('unknown flag --no-such-flag');
  });

  it.each(Object.entries(ACTS_ON_PIPELINE).filter(([script]) => script !== 'start' && script !== 'dev'))(
    '%s: --target deployed without an outputs file exits 2, naming the file',
    async (script, args) => {
      const { code, output } = await npmRun(script, [
        ...args,
        '--target',
        'deployed',
        '--outputs',
        missingOutputs,
      ]);
      expect(code, output).toBe(2);
      expect(output).toContain(`cannot read stack outputs from ${missingOutputs}`);
    },
  );

  it('npm start refuses --target deployed with exit 2, saying why', async () => {
    const { code, output } = await npmRun('start', ['--target', 'deployed']);
    expect(code, output).toBe(2);
    expect(output).toContain('takes only --target embedded, not deployed');
  });

  it('npm run migrate refuses the embedded target, its default, with exit 2, saying why', async () => {
    const { code, output } = await npmRun('migrate', []);
    expect(code, output).toBe(2);
    expect(output).toContain('takes only --target deployed, not embedded (npm start applies db/migrations');
  });
});

describe.concurrent('every command line that acts on no pipeline', () => {
  it.each(ACTS_ON_NO_PIPELINE)('%s: --help prints its usage, without --target', async (script) => {
    const { code, output } = await npmRun(script, ['--help']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^Usage: npm run \S+ -- /);
    expect(output).not.toContain('--target');
  });

  it.each(ACTS_ON_NO_PIPELINE)('%s: a flag it does not know exits 2, naming it', async (script) => {
    const { code, output } = await npmRun(script, ['--no-such-flag']);
    expect(code, output).toBe(2);
    expect(output).toContain('unknown flag --no-such-flag');
  });
});
