import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { projectPath } from '../../../../lib/project-paths.js';
import { ruleDecider } from '../../../../local/chaos/chaos.js';
import {
  CHAOS_SERVICES,
  ChaosSpecError,
  chaosGrammar,
  FAULT_KINDS,
  faultKindRows,
  parseChaosSpec,
} from '../../../../local/chaos/chaos-spec.js';

describe('parseChaosSpec', () => {
  it('reads one rule per service and kind, the rate as a share', () => {
    expect(parseChaosSpec('data-api:lose-response=2%, s3:5xx=5%,kinesis:throttle=10%')).toEqual([
      { service: 'data-api', kind: 'lose-response', rate: 0.02 },
      { service: 's3', kind: '5xx', rate: 0.05 },
      { service: 'kinesis', kind: 'throttle', rate: 0.1 },
    ]);
  });

  it('expands a service without a kind to its default kinds, Kinesis to those before the fact', () => {
    expect(parseChaosSpec('kinesis=3%')).toEqual([
      { service: 'kinesis', kind: 'throttle', rate: 0.03 },
      { service: 'kinesis', kind: '5xx', rate: 0.03 },
      { service: 'kinesis', kind: 'reset', rate: 0.03 },
    ]);
    expect(parseChaosSpec('s3=1%').map((rule) => rule.kind)).toEqual(Object.keys(FAULT_KINDS));
  });

  it('takes the edge rates 0% and 100%, and decimals', () => {
    expect(parseChaosSpec('s3:reset=0%,s3:timeout=100%,data-api:5xx=0.5%').map((rule) => rule.rate)).toEqual([
      0, 1, 0.005,
    ]);
  });

  it.each([
    ['', 'the spec has no rule'],
    [' , ', 'the spec has no rule'],
    ['s3:5xx=101%', 'from 0% to 100%'],
    ['s3:5xx=-1%', 'from 0% to 100%'],
    ['s3:5xx=5', 'from 0% to 100%'],
    ['s3:5xx=five%', 'from 0% to 100%'],
    ['s3:5xx', 'is not <service>:<kind>=<rate>%'],
    ['s3:5xx=1%=2%', 'is not <service>:<kind>=<rate>%'],
    ['sqs:5xx=1%', 'unknown service "sqs"'],
    ['s3:explode=1%', 'unknown kind "explode"'],
    ['s3:5xx:reset=1%', 'one service and one kind per rule'],
    ['s3:5xx=1%,s3:5xx=2%', 's3:5xx is given twice'],
    ['kinesis=1%,kinesis:reset=2%', 'kinesis:reset is given twice'],
  ])('refuses %j: %s, with the grammar', (spec, problem) => {
    const refusal = (() => {
      try {
        parseChaosSpec(spec);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(ChaosSpecError);
    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as Error).message).toContain(problem);
    expect((refusal as Error).message).toContain(chaosGrammar());
  });
});

describe('the grammar', () => {
  it('names every service and kind', () => {
    const grammar = chaosGrammar();
    for (const name of [...Object.keys(CHAOS_SERVICES), ...Object.keys(FAULT_KINDS)]) {
      expect(grammar).toContain(`  ${name} `);
    }
  });

  it("is the README's table of kinds, row for row", () => {
    const readme = readFileSync(projectPath('README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Break it on purpose'));
    const tableRows = section.split('\n').filter((line) => /^\| `[^`]+` \|/.test(line));
    expect(tableRows.slice(0, faultKindRows().length)).toEqual(faultKindRows());
  });
});

describe('a rule’s decisions', () => {
  const rule = { service: 's3', kind: '5xx', rate: 0.3 } as const;
  const decisions = (decide: () => boolean, count: number) => Array.from({ length: count }, decide);

  it('are the same for the same seed', () => {
    expect(decisions(ruleDecider(7, rule), 200)).toEqual(decisions(ruleDecider(7, rule), 200));
  });

  it('differ with the seed, and between rules of one seed', () => {
    const base = decisions(ruleDecider(7, rule), 200);
    expect(decisions(ruleDecider(8, rule), 200)).not.toEqual(base);
    expect(decisions(ruleDecider(7, { ...rule, kind: 'reset' }), 200)).not.toEqual(base);
  });

  it('break about the rate’s share of calls; 0% none and 100% every one', () => {
    const broken = decisions(ruleDecider(7, rule), 10_000).filter(Boolean).length;
    expect(broken).toBeGreaterThan(2_800);
    expect(broken).toBeLessThan(3_200);
    expect(decisions(ruleDecider(7, { ...rule, rate: 0 }), 1_000)).not.toContain(true);
    expect(decisions(ruleDecider(7, { ...rule, rate: 1 }), 1_000)).not.toContain(false);
  });
});
