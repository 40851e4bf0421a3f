/**
 * The grammar of `npm start -- --chaos <spec>`, described once: the tables below parse a spec, write
 * the grammar a refusal prints, and give the README's table (a unit test holds the README to them).
 *
 *   spec  := rule ("," rule)*
 *   rule  := service ":" kind "=" rate      one kind of fault on one service's calls
 *          | service "=" rate               each of the service's default kinds at that rate
 *   rate  := a number from 0 to 100, then "%"
 */
import { UsageError } from '../../functions/shared/errors.js';

/** The services whose calls a function makes through a chaos proxy. */
export const CHAOS_SERVICES = {
  kinesis: {
    calls: "the producer's PutRecords",
    // Before the fact only: a fault after Kinesis stored the records makes the producer send them
    // again, a second arrival on the stream (counted once by the ledger, archived once per arrival).
    defaultKinds: ['throttle', '5xx', 'reset'],
  },
  s3: {
    calls: "the processor's archive writes",
    defaultKinds: ['lose-response', '5xx', '5xx-after', 'throttle', 'reset', 'timeout', 'cut-body'],
  },
  'data-api': {
    calls: "the processor's statements and transactions",
    defaultKinds: ['lose-response', '5xx', '5xx-after', 'throttle', 'reset', 'timeout', 'cut-body'],
  },
} as const satisfies Record<string, { calls: string; defaultKinds: readonly FaultKindName[] }>;

/** The kinds of fault, in the words of the fault matrix (test/integration/faults-*.test.ts). */
export const FAULT_KINDS = {
  'lose-response': 'the server acts, then the connection is reset before its answer',
  '5xx': 'a 5xx error instead of the server, which never sees the call',
  '5xx-after': 'the server acts, then a 5xx error replaces its answer',
  throttle: "the service's throttling error, before the server sees the call",
  reset: 'the connection is reset before the server sees the call',
  timeout: "the server acts, its answer is held past the caller's deadline",
  'cut-body': 'the server acts, its answer stops halfway through the body',
} as const;

export type ChaosService = keyof typeof CHAOS_SERVICES;
export type FaultKindName = keyof typeof FAULT_KINDS;

/** One rule: a kind of fault on a service's calls, with the share of calls it breaks. */
export interface ChaosRule {
  service: ChaosService;
  kind: FaultKindName;
  /** Share of the service's calls, 0 to 1. */
  rate: number;
}

/** What `GET /_local/chaos` answers (the dashboard reads it too). */
export type ChaosStatus =
  | { enabled: false }
  | {
      enabled: true;
      seed: number;
      /** The rules now in force, each with its rate in percent. */
      rules: Array<{ service: ChaosService; kind: FaultKindName; ratePercent: number }>;
      /** Faults injected since the start, by service and kind (rules replaced since included). */
      injected: Record<ChaosService, Partial<Record<FaultKindName, number>>>;
      /** Calls each service's proxy has seen, broken or not. */
      calls: Record<ChaosService, number>;
    };

/** The grammar, as a refusal prints it (made from the tables above). */
export function chaosGrammar(): string {
  const width = Math.max(...Object.keys(FAULT_KINDS).map((kind) => kind.length)) + 2;
  return [
    'A chaos spec is a comma-separated list of rules:',
    "  <service>:<kind>=<rate>%   one kind of fault on a share of the service's calls",
    "  <service>=<rate>%          each of the service's default kinds at that rate",
    'Services:',
    ...Object.entries(CHAOS_SERVICES).map(([name, service]) => {
      const all = service.defaultKinds.length === Object.keys(FAULT_KINDS).length;
      return `  ${name.padEnd(width)}${service.calls}; default kinds: ${all ? 'all' : service.defaultKinds.join(', ')}`;
    }),
    'Kinds:',
    ...Object.entries(FAULT_KINDS).map(([name, does]) => `  ${name.padEnd(width)}${does}`),
    'Example: --chaos "data-api:lose-response=2%,s3:5xx=5%,kinesis:throttle=10%,kinesis:reset=1%"',
  ].join('\n');
}

/** The README's table of kinds, one Markdown row per kind (the README must hold these rows). */
export function faultKindRows(): string[] {
  return Object.entries(FAULT_KINDS).map(([name, does]) => `| \`${name}\` | ${does} |`);
}

/** A spec that does not follow the grammar: what is wrong with it, then the grammar. */
export class ChaosSpecError extends UsageError {
  constructor(readonly problem: string) {
    super(`--chaos: ${problem}\n${chaosGrammar()}`);
  }
}

const RATE = /^(\d+(?:\.\d+)?)%$/;

/**
 * Parses a chaos spec.
 *
 * @param spec - e.g. `data-api:lose-response=2%,s3=1%`
 * @returns its rules, one per service and kind, in the order given
 * @throws ChaosSpecError on an unknown service or kind, a rate outside 0–100 %, a rule given twice, or
 *   an empty spec
 * @example parseChaosSpec('kinesis:throttle=10%') // [{ service: 'kinesis', kind: 'throttle', rate: 0.1 }]
 */
export function parseChaosSpec(spec: string): ChaosRule[] {
  const parts = spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) throw new ChaosSpecError('the spec has no rule');
  const rules: ChaosRule[] = [];
  for (const part of parts) {
    for (const rule of rulesOf(part)) {
      if (rules.some((other) => other.service === rule.service && other.kind === rule.kind)) {
        throw new ChaosSpecError(`${rule.service}:${rule.kind} is given twice`);
      }
      rules.push(rule);
    }
  }
  return rules;
}

function rulesOf(part: string): ChaosRule[] {
  const [target = '', rateText, ...extra] = part.split('=');
  if (rateText === undefined || extra.length > 0) {
    throw new ChaosSpecError(`"${part}" is not <service>:<kind>=<rate>% nor <service>=<rate>%`);
  }
  const rate = rateOf(part, rateText.trim());
  const [serviceName = '', kindName, ...more] = target.trim().split(':');
  if (more.length > 0) throw new ChaosSpecError(`"${part}": one service and one kind per rule`);
  if (!Object.hasOwn(CHAOS_SERVICES, serviceName)) {
    throw new ChaosSpecError(`"${part}": unknown service "${serviceName}"`);
  }
  const service = serviceName as ChaosService;
  if (kindName === undefined) {
    return CHAOS_SERVICES[service].defaultKinds.map((kind) => ({ service, kind, rate }));
  }
  if (!Object.hasOwn(FAULT_KINDS, kindName))
    throw new ChaosSpecError(`"${part}": unknown kind "${kindName}"`);
  return [{ service, kind: kindName as FaultKindName, rate }];
}

function rateOf(part: string, text: string): number {
  const match = RATE.exec(text);
  const percent = Number(match?.[1]);
  if (!match || percent > 100) {
    throw new ChaosSpecError(`"${part}": the rate must be a percentage from 0% to 100%, not "${text}"`);
  }
  return percent / 100;
}

/** A rule as the spec writes it, e.g. `s3:5xx=5%`. */
export function describeRule(rule: ChaosRule): string {
  return `${rule.service}:${rule.kind}=${+(rule.rate * 100).toFixed(4)}%`;
}
