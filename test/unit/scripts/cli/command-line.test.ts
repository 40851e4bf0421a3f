import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { START_COMMAND } from '../../../../local/cli/start-options.js';
import { REBUILD_COMMAND, RECONCILE_COMMAND } from '../../../../scripts/batch/batch-cli.js';
import {
  type CommandDefinition,
  defineCommand,
  type Flags,
  parseCommandLine,
} from '../../../../scripts/cli/command-line.js';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_OUTPUTS_FILE,
  type TargetSupport,
  targetFlags,
} from '../../../../scripts/cli/target-flags.js';
import { usageOf } from '../../../../scripts/cli/usage-text.js';
import { LOGS_COMMAND } from '../../../../scripts/logs/logs-options.js';
import { GENERATE_SAMPLE_COMMAND } from '../../../../scripts/sample/cli-options.js';

const EXAMPLE = defineCommand({
  command: 'npm run example',
  summary: 'Does an example thing.',
  targets: 'any',
  flags: {
    csv: { type: 'string', value: '<path>', appliesTo: 'embedded', help: 'a file on this machine' },
    key: { type: 'string', value: '<key>', appliesTo: 'deployed', help: 'an object of the stack' },
    limit: { type: 'string', value: '<n>', help: 'stop after n' },
    aggregation: { type: 'boolean', default: true, help: 'one record per commit' },
    follow: { type: 'boolean', short: 'f', default: false, help: 'keep going' },
  },
  problem: 'it found something',
});

const DEPLOYED_ONLY = defineCommand({
  command: 'npm run deployed-only',
  summary: 'Acts on a stack.',
  targets: { only: 'deployed', because: 'the runtime does it by itself' },
  flags: {},
  problem: 'the function failed',
});

const parse = (...argv: string[]) => parseCommandLine(EXAMPLE, argv);

describe('a command line parsed by its definition', () => {
  it('acts on the embedded runtime of the default data dir when nothing says otherwise', () => {
    const commandLine = parse();
    expect(commandLine).toMatchObject({
      values: { aggregation: true, follow: false },
      target: { kind: 'embedded', dataDir: DEFAULT_DATA_DIR },
      positionals: [],
    });
  });

  it('reads --target deployed with its outputs file and stack, and the flags given', () => {
    const commandLine = parse('--target', 'deployed', '--stack', 'Copy', '--key', 'sources/a.csv', '-f');
    expect(commandLine).toMatchObject({
      values: { key: 'sources/a.csv', follow: true },
      target: { kind: 'deployed', outputsFile: DEFAULT_OUTPUTS_FILE, stackName: 'Copy' },
    });
    expect(commandLine !== 'help' && [...commandLine.given].sort()).toEqual([
      'follow',
      'key',
      'stack',
      'target',
    ]);
  });

  it('takes the negation of a flag that defaults to true', () => {
    expect(parse('--no-aggregation')).toMatchObject({ values: { aggregation: false } });
  });

  it('answers --help and -h before it checks anything else', () => {
    expect(parse('--help')).toBe('help');
    expect(parse('-h', '--target', 'aws')).toBe('help');
    expect(parseCommandLine(DEPLOYED_ONLY, ['--help'])).toBe('help');
  });

  it.each([
    [['--tail'], 'unknown flag --tail'],
    [['--deployed'], 'unknown flag --deployed; write --target deployed'],
    [['--limit'], "Option '--limit <value>' argument missing"],
    [['stray'], "Unexpected argument 'stray'"],
    [['--target', 'aws'], '--target must be embedded or deployed, got aws'],
    [['--key', 'x'], '--key is a flag of --target deployed, not of --target embedded'],
    [
      ['--target', 'deployed', '--csv', 'x', '--data-dir', 'd'],
      '--csv, --data-dir are flags of --target embedded',
    ],
  ])('refuses %j with a usage error that says %j', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });

  it('refuses the target a command does not take, with the reason, also when it is the default', () => {
    expect(() => parseCommandLine(DEPLOYED_ONLY, [])).toThrow(
      'takes only --target deployed, not embedded (the runtime does it by itself)',
    );
    expect(parseCommandLine(DEPLOYED_ONLY, ['--target', 'deployed', '--outputs', 'o.json'])).toMatchObject({
      target: { kind: 'deployed', outputsFile: 'o.json' },
    });
    expect(() => parseCommandLine(DEPLOYED_ONLY, ['--target', 'deployed', '--data-dir', 'd'])).toThrow(
      'unknown flag --data-dir',
    );
  });

  it('takes positionals only when the definition names some', () => {
    expect(parseCommandLine(LOGS_COMMAND, ['api', '--follow'])).toMatchObject({ positionals: ['api'] });
  });
});

/** The flags a command parses, as `--name` (or `--no-name` for a flag that defaults to true). */
function parsedFlagsOf(definition: CommandDefinition<Flags, TargetSupport | undefined>): string[] {
  const flags = {
    ...definition.flags,
    ...(definition.targets !== undefined && targetFlags(definition.targets)),
  };
  return Object.entries(flags).map(([name, flag]) =>
    flag.type === 'boolean' && flag.default === true ? `--no-${name}` : `--${name}`,
  );
}

describe('the usage made from the definition', () => {
  const definitions = [
    EXAMPLE,
    DEPLOYED_ONLY,
    START_COMMAND,
    RECONCILE_COMMAND,
    REBUILD_COMMAND,
    LOGS_COMMAND,
  ];

  it.each(definitions.map((definition) => [definition.command, definition] as const))(
    'of %s names every flag it parses, --help and its exit status',
    (_, definition) => {
      const usage = usageOf(definition);
      for (const flag of parsedFlagsOf(definition)) expect(usage).toContain(flag);
      expect(usage).toContain('-h, --help');
      expect(usage.replace(/\s+/g, ' ')).toMatch(/Exit status: 0 done; 1 .*; 2 a usage error/);
    },
  );

  it('says which target a flag belongs to, its default, and the value it takes', () => {
    const usage = usageOf(EXAMPLE);
    expect(usage).toMatch(/--csv <path> +with --target embedded: a file on this machine/);
    expect(usage).toMatch(/--key <key> +with --target deployed: an object of the stack/);
    expect(usage).toMatch(/--data-dir <dir> +with --target embedded: .*\(default: \.local-data\)/s);
    expect(usage).toMatch(/-f, --follow +keep going/);
    expect(usage).toMatch(/--no-aggregation +one record per commit/);
  });

  it('shows the only target of a command that takes one, and no flag of the other', () => {
    const usage = usageOf(DEPLOYED_ONLY);
    expect(usage).toMatch(/--target deployed +the only target: the runtime does it by itself/);
    expect(usage).not.toContain('--data-dir');
  });

  it('leaves --target out of a command that acts on no pipeline', () => {
    const usage = usageOf(GENERATE_SAMPLE_COMMAND);
    expect(usage).not.toContain('--target');
    expect(usage).toMatch(/2 a usage error\.$/);
  });

  it('keeps its lines within 100 columns, examples aside', () => {
    const [body = ''] = usageOf(EXAMPLE).split('\nExamples:');
    expect(body.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });
});
