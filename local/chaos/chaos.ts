/**
 * Chaos on demand: one fault-injecting proxy per service (fault-proxy.ts) between the functions and the
 * local cloud, breaking a share of their calls by the rules of a spec (chaos-spec.ts). Each rule
 * decides with a generator of its own, seeded from the run's seed and the rule's name, so a seed
 * replays the same decisions. The rules can be replaced while the runtime runs; the counts of faults
 * injected are kept per service and kind across replacements.
 */

import { fnv1a } from '../../functions/shared/fnv1a.js';
import { settings } from '../../functions/shared/settings.js';
import {
  CHAOS_SERVICES,
  type ChaosRule,
  type ChaosService,
  type ChaosStatus,
  type FaultKindName,
  parseChaosSpec,
} from './chaos-spec.js';
import {
  type CannedResponse,
  dataApiError,
  type Fault,
  type FaultProxy,
  kinesisError,
  s3Error,
  startFaultProxy,
} from './fault-proxy.js';
import { seededRandom } from './seeded-random.js';

export interface Chaos {
  readonly seed: number;
  /** The URL each service's proxy listens on, for the functions' `AWS_ENDPOINT_URL_*`. */
  readonly endpoints: Readonly<Record<ChaosService, string>>;
  status(): ChaosStatus;
  /** Replaces every rule (a spec that does not parse throws `ChaosSpecError` and changes nothing). */
  replace(spec: string): void;
  close(): Promise<void>;
}

/**
 * Starts the proxies in front of the services and arms the rules.
 *
 * @param rules - from `parseChaosSpec`
 * @param seed - the seed of every rule's decisions
 * @param targets - the real endpoint of each service
 */
export async function startChaos(
  rules: readonly ChaosRule[],
  seed: number,
  targets: Readonly<Record<ChaosService, string>>,
): Promise<Chaos> {
  const services = Object.keys(CHAOS_SERVICES) as ChaosService[];
  const proxies = {} as Record<ChaosService, FaultProxy>;
  for (const service of services) {
    proxies[service] = await startFaultProxy(targets[service], { keepCalls: false });
  }
  const injected = Object.fromEntries(services.map((service) => [service, {}])) as Record<
    ChaosService,
    Partial<Record<FaultKindName, number>>
  >;
  let current: readonly ChaosRule[] = [];

  const arm = (next: readonly ChaosRule[]) => {
    for (const proxy of Object.values(proxies)) proxy.clear();
    for (const rule of next) {
      const decide = ruleDecider(seed, rule);
      proxies[rule.service].inject({
        name: `${rule.service}:${rule.kind}`,
        // Every call of the service is a candidate; the rule's own generator picks its share.
        match: () => {
          if (!decide()) return false;
          const counts = injected[rule.service];
          counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
          return true;
        },
        fault: faultOf(rule),
        times: Number.POSITIVE_INFINITY,
      });
    }
    current = next;
  };
  arm(rules);

  return {
    seed,
    endpoints: Object.fromEntries(services.map((service) => [service, proxies[service].url])) as Record<
      ChaosService,
      string
    >,
    status: () => ({
      enabled: true,
      seed,
      rules: current.map((rule) => ({
        service: rule.service,
        kind: rule.kind,
        ratePercent: +(rule.rate * 100).toFixed(4),
      })),
      injected: structuredClone(injected),
      calls: Object.fromEntries(services.map((service) => [service, proxies[service].callCount])) as Record<
        ChaosService,
        number
      >,
    }),
    replace: (spec) => arm(parseChaosSpec(spec)),
    close: async () => {
      await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
    },
  };
}

/**
 * The decisions of one rule: whether to break the next call. A generator of the rule's own, seeded from
 * the run's seed and the rule's name, so a seed replays the same decisions and rules decide apart.
 *
 * @param seed - the run's seed
 * @param rule - the rule (its rate is the share of `true`)
 */
export function ruleDecider(seed: number, rule: ChaosRule): () => boolean {
  const random = seededRandom(seedOfRule(seed, rule));
  return () => random() < rule.rate;
}

/** A seed for one rule: the run's seed mixed with the rule's name (FNV-1a), so rules decide apart. */
function seedOfRule(seed: number, rule: ChaosRule): number {
  return fnv1a(`${rule.service}:${rule.kind}`, seed);
}

/** A fresh seed, for a run that was not given one (it is reported, so the run can be repeated). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

function faultOf(rule: ChaosRule): Fault {
  switch (rule.kind) {
    case 'lose-response':
      return { kind: 'lose-response' };
    case '5xx':
      return { kind: 'respond', response: serverError(rule.service) };
    case '5xx-after':
      return { kind: 'respond', response: serverError(rule.service), after: true };
    case 'throttle':
      return { kind: 'respond', response: throttling(rule.service) };
    case 'reset':
      return { kind: 'reset' };
    case 'timeout':
      return { kind: 'delay', ms: settings.localRuntime.chaos.timeoutHoldMs };
    case 'cut-body':
      return {
        kind: 'break-body',
        afterBytes: (length) => Math.floor(length * settings.localRuntime.chaos.cutBodyAt),
      };
  }
}

/** Each service's 5xx, in its protocol. */
function serverError(service: ChaosService): CannedResponse {
  if (service === 'kinesis') return kinesisError(500, 'InternalFailure');
  if (service === 's3') return s3Error(500, 'InternalError');
  return dataApiError(503, 'ServiceUnavailableError');
}

/** Each service's throttling answer, in its protocol. */
function throttling(service: ChaosService): CannedResponse {
  if (service === 'kinesis') return kinesisError(400, 'ProvisionedThroughputExceededException');
  if (service === 's3') return s3Error(503, 'SlowDown');
  return dataApiError(429, 'ThrottlingException');
}
