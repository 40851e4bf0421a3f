import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { parseCommandLine } from '../../../../scripts/cli/command-line.js';
import { usageOf } from '../../../../scripts/cli/usage-text.js';
import {
  DEFAULT_EVENT_ROWS,
  DEFAULT_SHARD_ID,
  EVENT_COMMAND,
  eventRequestOf,
} from '../../../../scripts/event/event-options.js';

const parse = (...argv: string[]) => {
  const commandLine = parseCommandLine(EVENT_COMMAND, argv);
  return commandLine === 'help' ? 'help' : eventRequestOf(commandLine);
};

describe('the command line of npm run event', () => {
  it('makes a kinesis event of the first rows, aggregated, from the first shard, by default', () => {
    expect(parse('kinesis', '--csv', 'a.csv')).toEqual({
      kind: 'kinesis',
      csv: 'a.csv',
      rows: DEFAULT_EVENT_ROWS,
      aggregate: true,
      shardId: DEFAULT_SHARD_ID,
      encoding: undefined,
      out: undefined,
    });
  });

  it('takes every kinesis flag', () => {
    expect(
      parse(
        'kinesis',
        '--csv',
        'a.csv',
        '--rows',
        '20',
        '--no-aggregation',
        '--shard',
        'shardId-000000000001',
        '--encoding',
        'latin1',
        '--out',
        'e.json',
      ),
    ).toEqual({
      kind: 'kinesis',
      csv: 'a.csv',
      rows: 20,
      aggregate: false,
      shardId: 'shardId-000000000001',
      encoding: 'latin1',
      out: 'e.json',
    });
  });

  it('makes an api event of a method, a path and repeated query parameters', () => {
    expect(parse('api', 'GET', '/stats/authors', '--query', 'limit=5', '--query', 'sort=commits')).toEqual({
      kind: 'api',
      method: 'GET',
      path: '/stats/authors',
      query: ['limit=5', 'sort=commits'],
      out: undefined,
    });
  });

  it.each([
    [[], 'name the event: kinesis or api'],
    [['sqs'], 'unknown event "sqs": kinesis or api'],
    [['kinesis'], '--csv <file> is required'],
    [['kinesis', '--csv', 'a.csv', '--rows', '0'], '--rows must be an integer from 1'],
    [['kinesis', '--csv', 'a.csv', '--shard', 'one'], '--shard: a shard id is shardId- and 12 digits'],
    [['kinesis', '--csv', 'a.csv', '--query', 'a=1'], '--query is a flag of api events'],
    [['kinesis', 'extra', '--csv', 'a.csv'], 'kinesis takes no arguments'],
    [['api', 'GET'], 'an api event needs a method and a path'],
    [['api', 'GET', '/x', '--csv', 'a.csv'], '--csv: flags of kinesis events, not of api'],
    [['api', 'GET', '/x', 'y'], 'unexpected arguments after the path: y'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });

  it('lists both events and the repeatable --query in its usage', () => {
    const usage = usageOf(EVENT_COMMAND);
    expect(usage).toContain('Usage: npm run event -- kinesis | api <METHOD> <path> [options]');
    expect(usage).toMatch(
      /--query <name=value> +api: a query string parameter \(may be given several times\)/,
    );
    expect(usage).toContain('--no-aggregation');
  });
});
