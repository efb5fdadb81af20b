/**
 * The fault campaign: runs seeded schedules through the real handler against moto_server (behind
 * the fault proxy) and the Hopae stand-in, and checks after each one that no secret was lost and
 * that the rotation converges once the faults stop.
 */
import { randomBytes } from 'node:crypto';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ROTATION_STEPS } from '../../lambda/event';
import { secretNameOf } from '../../lambda/metrics';
import { AWSCURRENT, AWSPENDING, SecretStore } from '../../lambda/secret-store';
import { localLambdaContext } from '../lambda-context';
import type { LocalEnvironment } from '../local-environment';
import { beginRotation, type RotationHandler } from '../rotation-driver';
import { countLeaks, type KnownSecret } from './leak-scan';
import { generateSchedule, smFaultFor, type Attempt, type Invocation, type Schedule } from './schedule';

export type ViolationKind = 'secret-lost' | 'not-converged' | 'extra-rotation' | 'secret-logged';

export interface Violation {
  readonly seed: number;
  readonly kind: ViolationKind;
  readonly detail: string;
}

export interface CampaignStats {
  schedules: number;
  secrets: number;
  attempts: number;
  failedAttempts: number;
  invocations: number;
  lambdaTimeouts: number;
  hopaeFaultsHit: number;
  smFaultsInjected: number;
  /** The valid secret was only at Hopae, after its 24-hour memory ran out: locked out until the next retry mints one. */
  lockoutsAfter24Hours: number;
  cleanRetriesNeeded: number;
}

export interface CampaignReport {
  readonly baseSeed: number;
  readonly violations: readonly Violation[];
  readonly stats: CampaignStats;
  readonly durationMs: number;
}

export interface CampaignOptions {
  readonly schedules: number;
  readonly baseSeed: number;
  /** Called after each schedule. */
  readonly onSchedule?: (seed: number, done: number, violations: number) => void;
  /** One line per invocation, for replaying a seed. */
  readonly trace?: (line: string) => void;
}

const DAY_AND_AN_HOUR_MS = 25 * 60 * 60 * 1000;
const CLEAN_RETRIES = 3;

/** Apps created by this process's campaigns: part of each app's name. */
let appsCreated = 0;

export async function runCampaign(local: LocalEnvironment, handler: RotationHandler, options: CampaignOptions): Promise<CampaignReport> {
  const proxy = local.proxy;
  if (!proxy) throw new Error('the campaign needs the local environment with its Secrets Manager proxy');
  const stats: CampaignStats = {
    schedules: 0, secrets: 0, attempts: 0, failedAttempts: 0, invocations: 0, lambdaTimeouts: 0,
    hopaeFaultsHit: 0, smFaultsInjected: 0, lockoutsAfter24Hours: 0, cleanRetriesNeeded: 0,
  };
  const violations: Violation[] = [];
  const started = Date.now();
  const capture = new LogCapture();
  // The campaign's own callbacks print for real; only the function's output is captured.
  const trace = options.trace ? (line: string) => capture.passThrough(() => options.trace!(line)) : undefined;
  capture.start();
  try {
    for (let i = 0; i < options.schedules; i++) {
      const schedule = generateSchedule(options.baseSeed + i);
      const found = await runSchedule(local, handler, schedule, stats, capture, trace);
      violations.push(...found);
      stats.schedules += 1;
      capture.passThrough(() => options.onSchedule?.(schedule.seed, i + 1, violations.length));
    }
  } finally {
    capture.stop();
    proxy.decide = () => ({ type: 'pass' });
    local.standIn.clearFaults();
  }
  return { baseSeed: options.baseSeed, violations, stats, durationMs: Date.now() - started };
}

interface App {
  readonly index: number;
  readonly clientId: string;
  readonly arn: string;
  readonly name: string;
  token: string;
  /** The schedule's clock jumps before this app's rotation began. */
  jumpsAtBegin: number;
  /** Clock jumps while this app's rotation was open: each may cost one extra rotation at Hopae. */
  clockJumps?: number;
}

async function runSchedule(
  local: LocalEnvironment,
  handler: RotationHandler,
  schedule: Schedule,
  stats: CampaignStats,
  capture: LogCapture,
  trace: ((line: string) => void) | undefined,
): Promise<Violation[]> {
  const { standIn, proxy } = local;
  const violations: Violation[] = [];
  const violation = (kind: ViolationKind, detail: string) => violations.push({ seed: schedule.seed, kind, detail });
  capture.clear();
  const rotationTokens: string[] = [];
  const faultedBefore = standIn.requests.filter((r) => r.faulted).length;
  const issuedBefore = standIn.issuedSecrets.length;

  // The apps: unique per schedule, so schedules never touch each other's state.
  const apps: App[] = [];
  for (const [index, plan] of schedule.secrets.entries()) {
    // The count keeps names unique across the campaigns run on one moto_server (chaos.test.ts runs the same
    // seed three times): 16 random bits alone repeated about one run in 7,300 (ResourceExistsException).
    const clientId = `C${schedule.seed}s${index}r${++appsCreated}${randomBytes(2).toString('hex')}`;
    const secret = standIn.addApp(clientId, 'ws_local', !plan.bootstrap);
    const value = JSON.stringify({ clientId, ...(secret ? { clientSecret: secret } : {}), note: 'chaos' });
    const created = await local.sm.send(new CreateSecretCommand({ Name: `chaos/${clientId}`, SecretString: value }));
    apps.push({ index, clientId, arn: created.ARN!, name: `chaos/${clientId}`, token: '', jumpsAtBegin: 0 });
    for (const fault of plan.hopaeFaults) standIn.injectFault({ ...fault, clientId });
  }

  // Secrets Manager faults for the function's calls, decided per secret, operation and call number.
  const calls = new Map<string, number>();
  proxy!.decide = (operation, secretId) => {
    const name = secretId ? secretNameOf(secretId) : 'none';
    const key = `${name}:${operation}`;
    const n = (calls.get(key) ?? 0) + 1;
    calls.set(key, n);
    const action = smFaultFor(schedule, `${key}:${n}`);
    if (action.type !== 'pass') stats.smFaultsInjected += 1;
    return action;
  };

  const invoke = async (app: App, invocation: Invocation): Promise<boolean> => {
    const once = async () => {
      const rotationToken = `rt-${randomBytes(24).toString('hex')}`;
      rotationTokens.push(rotationToken);
      stats.invocations += 1;
      try {
        const result = await handler(
          { Step: invocation.step, SecretId: app.arn, ClientRequestToken: app.token, RotationToken: rotationToken },
          localLambdaContext(invocation.remainingMs),
        );
        trace?.(`  ${app.name} ${invocation.step} (${invocation.remainingMs} ms): ${(result as { outcome: string }).outcome}`);
        return true;
      } catch (error) {
        if ((error as Error).name === 'InvocationTimeoutError') stats.lambdaTimeouts += 1;
        trace?.(`  ${app.name} ${invocation.step} (${invocation.remainingMs} ms): ${(error as Error).name}: ${(error as Error).message.slice(0, 160)}`);
        return false;
      }
    };
    if (invocation.duplicate === 'concurrent') return (await Promise.all([once(), once()])).every(Boolean);
    if (invocation.duplicate === 'sequential') {
      await once();
      return once();
    }
    return once();
  };

  const runAttempt = async (app: App, attempt: Attempt): Promise<boolean> => {
    stats.attempts += 1;
    for (const invocation of attempt.invocations) {
      if (!(await invoke(app, invocation))) {
        stats.failedAttempts += 1;
        return false;
      }
    }
    return true;
  };

  // Phase 1: the scheduled attempts, faults on, secrets concurrently. The stand-in's clock is
  // shared: a jump expires the 24-hour memory of every app whose rotation is still open, so each
  // app counts the jumps between its own begin and the end of its rotation, not the schedule's.
  let clockJumps = 0;
  await Promise.all(
    apps.map(async (app) => {
      app.jumpsAtBegin = clockJumps;
      app.token = await beginRotation(local.sm, app.arn);
      trace?.(`${app.name}: rotation ${app.token}`);
      const plan = schedule.secrets[app.index]!;
      for (const attempt of plan.attempts) {
        if (attempt.after24Hours) {
          standIn.advanceClock(DAY_AND_AN_HOUR_MS);
          clockJumps += 1;
          trace?.(`  (the stand-in's clock moves 25 hours on)`);
        }
        const finished = await runAttempt(app, attempt);
        const where = await whereIsTheValidSecret(local, app);
        if (where === 'nowhere') {
          if (clockJumps > app.jumpsAtBegin) stats.lockoutsAfter24Hours += 1;
          else violation('secret-lost', `${app.name}: after an attempt, Hopae's valid secret is neither stored nor replayable`);
        }
        if (finished) {
          app.clockJumps = clockJumps - app.jumpsAtBegin;
          break;
        }
      }
    }),
  );
  // A rotation still open after phase 1 saw every jump since its begin.
  for (const app of apps) app.clockJumps ??= clockJumps - app.jumpsAtBegin;

  // Phase 2: the faults stop; Secrets Manager keeps retrying the same rotation.
  proxy!.decide = () => ({ type: 'pass' });
  standIn.clearFaults();
  const clean: Attempt = { after24Hours: false, invocations: ROTATION_STEPS.map((step) => ({ step, remainingMs: 20_000, duplicate: 'none' as const })) };
  for (const app of apps) {
    let converged = false;
    for (let retry = 0; retry < CLEAN_RETRIES && !converged; retry++) {
      if (retry > 0) stats.cleanRetriesNeeded += 1;
      converged = await runAttempt(app, clean);
    }
    const current = parsePair(await new SecretStore(local.sm).getByStage(app.arn, AWSCURRENT));
    if (!converged || !standIn.accepts(app.clientId, current?.clientSecret)) {
      violation('not-converged', `${app.name}: after the faults stopped, AWSCURRENT does not hold the pair Hopae accepts`);
    }
    const rotations = standIn.rotations(app.clientId);
    const jumps = app.clockJumps ?? 0;
    if (rotations > 1 + jumps) {
      violation('extra-rotation', `${app.name}: Hopae rotated ${rotations} times for one rotation (${jumps} expiries of its 24-hour memory during it)`);
    }
  }

  // Phase 3: nothing secret in anything the function wrote, in any encoding.
  const scheduleSecrets = standIn.issuedSecrets.slice(issuedBefore).flatMap((value) => apps.map((app) => ({ value, clientId: app.clientId })));
  const leaked = capture.findSecrets(new Set(standIn.issuedSecrets), [...scheduleSecrets, { value: local.apiKey }, ...rotationTokens.map((value) => ({ value }))]);
  if (leaked > 0) violation('secret-logged', `${leaked} secret value(s) appear in the function's output`);

  stats.secrets += apps.length;
  stats.hopaeFaultsHit += standIn.requests.filter((r) => r.faulted).length - faultedBefore;
  return violations;
}

/** Where Hopae's valid secret can still be had: stored as AWSCURRENT or AWSPENDING, or replayable by Hopae. */
async function whereIsTheValidSecret(local: LocalEnvironment, app: App): Promise<'current' | 'pending' | 'replay' | 'none yet' | 'nowhere'> {
  const valid = local.standIn.currentSecret(app.clientId);
  if (valid === undefined) return 'none yet';
  const store = new SecretStore(local.sm);
  if (parsePair(await store.getByStage(app.arn, AWSCURRENT))?.clientSecret === valid) return 'current';
  if (parsePair(await store.getVersionValue(app.arn, app.token, AWSPENDING))?.clientSecret === valid) return 'pending';
  if (local.standIn.replayable(app.token)) return 'replay';
  return 'nowhere';
}

function parsePair(value: string | undefined): { clientSecret?: string } | undefined {
  return value ? (JSON.parse(value) as { clientSecret?: string }) : undefined;
}

/** Captures stdout and stderr (where the function logs) while letting the campaign print progress. */
class LogCapture {
  private chunks: string[] = [];
  private readonly originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

  start(): void {
    const keep = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
      return true;
    };
    process.stdout.write = keep as typeof process.stdout.write;
    process.stderr.write = keep as typeof process.stderr.write;
  }

  stop(): void {
    process.stdout.write = this.originals.out;
    process.stderr.write = this.originals.err;
  }

  clear(): void {
    this.chunks = [];
  }

  /**
   * How many known secrets appear: any 64-hex token Hopae ever issued, exactly; this schedule's
   * secrets, the workspace key and the RotationTokens also encoded (leak-scan.ts).
   */
  findSecrets(issued: ReadonlySet<string>, secrets: readonly KnownSecret[]): number {
    const text = this.chunks.join('');
    let found = 0;
    for (const token of text.match(/[0-9a-f]{64}/gi) ?? []) if (issued.has(token.toLowerCase())) found += 1;
    return found + countLeaks(text, secrets);
  }

  /** Runs `print` with the real stdout and stderr. */
  passThrough(print: () => void): void {
    this.stop();
    try {
      print();
    } finally {
      this.start();
    }
  }
}
