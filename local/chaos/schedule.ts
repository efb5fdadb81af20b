/**
 * One randomized fault schedule, derived from a seed: which secrets rotate concurrently, which
 * Hopae and Secrets Manager faults hit them, how Secrets Manager invokes and retries the steps.
 */
import { ROTATION_STEPS, type RotationStep } from '../../lambda/event';
import type { Fault, FaultAction } from '../hopae-stand-in';
import type { ProxyAction } from '../sm-proxy';
import { hashSeed, Random } from './random';

/** One invocation of one step, as Secrets Manager would make it. */
export interface Invocation {
  readonly step: RotationStep;
  /** The Lambda's remaining time: short ones end in a timeout. */
  readonly remainingMs: number;
  /** Secrets Manager invokes the same step twice: one after the other, or both at once. */
  readonly duplicate: 'none' | 'sequential' | 'concurrent';
}

/** One attempt of the whole rotation (Secrets Manager retries with the same token). */
export interface Attempt {
  readonly invocations: readonly Invocation[];
  /** Before this attempt, the stand-in's clock jumps past Hopae's 24-hour idempotency window. */
  readonly after24Hours: boolean;
}

export interface SecretPlan {
  /** The secret names only its app: the first rotation mints the clientSecret. */
  readonly bootstrap: boolean;
  readonly hopaeFaults: readonly Omit<Fault, 'clientId'>[];
  readonly attempts: readonly Attempt[];
}

export interface Schedule {
  readonly seed: number;
  readonly secrets: readonly SecretPlan[];
  /** Share of Secrets Manager calls (of the function) that meet a fault. */
  readonly smFaultRate: number;
}

const NORMAL_MS = 20_000;

export function generateSchedule(seed: number): Schedule {
  const random = new Random(seed);
  const secrets = Array.from({ length: random.int(1, 3) }, () => secretPlan(random));
  return { seed, secrets, smFaultRate: random.pick([0, 0.05, 0.1, 0.2, 0.3]) };
}

function secretPlan(random: Random): SecretPlan {
  const faults = Array.from({ length: random.int(0, 4) }, () => hopaeFault(random));
  const attempts = Array.from({ length: random.int(1, 3) }, (_, i) => attempt(random, i));
  return { bootstrap: random.chance(0.15), hopaeFaults: faults, attempts };
}

function attempt(random: Random, index: number): Attempt {
  const invocations = ROTATION_STEPS.map((step) => ({
    step,
    // Mostly ample time; sometimes little enough that the Lambda times out mid-call.
    remainingMs: random.chance(0.2) ? random.pick([700, 1000, 1500, 2500]) : NORMAL_MS,
    duplicate: random.chance(0.15) ? random.pick(['sequential', 'concurrent'] as const) : ('none' as const),
  }));
  return { invocations, after24Hours: index > 0 && random.chance(0.15) };
}

function hopaeFault(random: Random): Omit<Fault, 'clientId'> {
  const route = random.chance(0.8) ? ('rotate' as const) : ('providers' as const);
  const phase = route === 'rotate' && random.chance(0.55) ? ('after-commit' as const) : ('before-commit' as const);
  const actions: FaultAction[] = [
    { type: 'status', status: random.pick([500, 502, 503]) },
    { type: 'status', status: 503, shape: 'html' },
    { type: 'status', status: 429, retryAfter: random.pick(['0', '1']) },
    { type: 'drop' },
    { type: 'delay', ms: random.pick([100, 400, 1200]) },
    { type: 'raw', status: 200, body: '<html><body>OK</body></html>', contentType: 'text/html' },
    { type: 'raw', status: 201, body: '{"clientSecret":""}' },
    { type: 'raw', status: 201, body: '' },
  ];
  // Definite refusals only before the commit (Hopae does not commit and then refuse).
  if (phase === 'before-commit') actions.push({ type: 'status', status: random.pick([401, 404]) });
  if (route === 'rotate' && phase === 'before-commit') actions.push({ type: 'status', status: 409, code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS' });
  // Mostly brief trouble; sometimes an outage longer than one invocation's retries.
  return { route, phase, action: random.pick(actions), times: random.pick([1, 1, 2, 3, 10]) };
}

/**
 * The Secrets Manager fault for the nth call of an operation on a secret: decided from the seed
 * and those names, so concurrent secrets do not change each other's faults.
 */
export function smFaultFor(schedule: Schedule, key: string): ProxyAction {
  if (schedule.smFaultRate === 0) return { type: 'pass' };
  const random = new Random(hashSeed(schedule.seed, key));
  if (!random.chance(schedule.smFaultRate)) return { type: 'pass' };
  return random.pick<ProxyAction>([{ type: 'error-before' }, { type: 'drop-after' }, { type: 'delay', ms: random.pick([200, 800, 1600]) }]);
}
