/**
 * The command line of `npm start`, described once (scripts/cli/command-line.ts): the replay flags it
 * shares with `npm run replay`, `--data-dir` as every command that acts on the embedded runtime spells
 * it, and its own flags; validated with messages that name the flag.
 */
import { existsSync } from 'node:fs';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { UsageError } from '../../functions/shared/errors.js';
import { defineCommand, parseCommandLine } from '../../scripts/cli/command-line.js';
import { usageOf } from '../../scripts/cli/usage-text.js';
import { randomSeed } from '../chaos/chaos.js';
import { type ChaosRule, chaosGrammar, parseChaosSpec } from '../chaos/chaos-spec.js';
import { integerFlag, REPLAY_FLAGS, replayRequestOf } from './replay-flags.js';

/** The first port `--inspect` opens the functions' inspectors on, as Node's own `--inspect`. */
export const DEFAULT_INSPECT_PORT = 9229;

/** The definition of `npm start`'s command line. */
export const START_COMMAND = defineCommand({
  command: 'npm start',
  summary:
    'Runs the whole pipeline on an embedded local cloud: replays a CSV (the bundled sample by default) ' +
    'through producer, Kinesis, processor, PostgreSQL and S3, then serves the API and the dashboard until Ctrl-C.',
  targets: {
    only: 'embedded',
    because: 'a stack is deployed with npm run deploy:localstack or npm run deploy:aws',
  },
  flags: {
    csv: { type: 'string', value: '<path>', help: 'CSV to replay (default: the bundled sample)' },
    port: {
      type: 'string',
      default: '3000',
      value: '<n>',
      help: 'API port on 127.0.0.1 (0 picks a free one)',
    },
    reset: { type: 'boolean', default: false, help: 'wipe the data dir first' },
    replay: { type: 'boolean', default: true, help: 'only start the pipeline and serve the API' },
    watch: {
      type: 'boolean',
      default: false,
      help: 'rebuild a function when a file under functions/ is saved; its next invocation runs the new code (npm run dev)',
    },
    inspect: {
      type: 'string',
      value: '<port>',
      help: `open an inspector in each function environment, on <port> and the next ones (--inspect alone: ${DEFAULT_INSPECT_PORT})`,
    },
    ...REPLAY_FLAGS,
    chaos: {
      type: 'string',
      value: '<spec>',
      help: 'break a share of the functions\' calls on purpose, e.g. "s3:5xx=5%,kinesis=2%" (README, Break it on purpose)',
    },
    'chaos-seed': {
      type: 'string',
      value: '<n>',
      help: 'seed of the chaos decisions, to repeat a run (default: a random one, printed)',
    },
  },
  problem: 'a part of the runtime cannot come back',
  examples: [
    'npm start -- --csv ~/Downloads/infected_code.csv --port 8080',
    'npm start -- --no-replay',
    'npm run dev -- --inspect',
    'npm start -- --chaos "data-api:lose-response=2%,s3:5xx=5%,kinesis:throttle=10%" --chaos-seed 7',
  ],
});

/** What `npm start -- --help` prints: the usage, then the grammar of `--chaos`. */
export const USAGE = `${usageOf(START_COMMAND)}\n\n${chaosGrammar()}`;

export interface StartOptions {
  csv: string;
  port: number;
  dataDir: string;
  reset: boolean;
  replay: boolean;
  /** Rebuild the functions on save (`npm run dev`). */
  watch: boolean;
  /** The first port of the functions' inspectors, when asked for. */
  inspectPort?: number;
  /** How to replay the CSV: pace, limit, aggregation, line to start from, encoding. */
  request: ReplayRequest;
  /** Faults to inject (`--chaos`), with the seed of their decisions. */
  chaos?: { rules: ChaosRule[]; seed: number };
}

/**
 * @param argv - the arguments after the script name
 * @returns the options, or `'help'` for `--help`
 * @throws UsageError on a flag it cannot use, a CSV that is not there or `--target deployed`
 */
export function parseStartOptions(argv: string[]): StartOptions | 'help' {
  // `--inspect` without a value, as Node spells it, is its default port.
  const spelled = argv.map((arg, index) =>
    arg === '--inspect' && !/^\d+$/.test(argv[index + 1] ?? '') ? `--inspect=${DEFAULT_INSPECT_PORT}` : arg,
  );
  const commandLine = parseCommandLine(START_COMMAND, spelled);
  if (commandLine === 'help') return 'help';
  const { values, target } = commandLine;
  const csv = values.csv ?? bundledSamplePath();
  if (!existsSync(csv)) throw new UsageError(`--csv: no such file: ${csv}`);
  return {
    csv,
    port: integerFlag('port', values.port, 0, 65_535),
    dataDir: target.dataDir,
    reset: values.reset,
    replay: values.replay,
    watch: values.watch,
    ...(values.inspect !== undefined && { inspectPort: integerFlag('inspect', values.inspect, 1, 65_535) }),
    request: replayRequestOf(values),
    chaos: chaosOf(values.chaos, values['chaos-seed']),
  };
}

/** `--chaos` and `--chaos-seed`, refused before anything starts when the spec does not parse. */
function chaosOf(spec: string | undefined, seed: string | undefined): StartOptions['chaos'] {
  if (spec === undefined) {
    if (seed !== undefined) throw new UsageError('--chaos-seed: only with --chaos <spec>');
    return undefined;
  }
  return {
    rules: parseChaosSpec(spec),
    seed: seed === undefined ? randomSeed() : integerFlag('chaos-seed', seed, 0, 2 ** 31 - 1),
  };
}
