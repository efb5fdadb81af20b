/**
 * The rotation state table: every state a secret can be in, each with the one way out. `doctor`
 * reports the row, `recover` carries out its label moves. Every row ends where a rotation can
 * succeed: healthy, or ready for `rotate`, or after one named manual fix.
 *
 * Reading is separate from deciding: `judgeVersions` asks Secrets Manager and Hopae (read-only),
 * `classify` is a pure function of what they said, so the table is testable row by row.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseAppSecret } from '../lambda/app-secret';
import type { RotationLog, StepFailure } from './function-log';
import type { HopaeProbe } from './hopae-probe';
import { formatAge } from './output';
import { functionName, readVersionValue, type FunctionInfo, type SecretState, type StuckAfter, type VersionInfo } from './secrets';

/** What Hopae (or the stored value) says about one version. */
export type Verdict = 'accepted' | 'rejected' | 'no value' | 'malformed' | 'no clientSecret' | 'unknown';

export interface Candidate {
  readonly version: string;
  readonly role: 'pending' | 'current' | 'previous' | 'unlabelled';
  readonly created: string | null;
  readonly verdict: Verdict;
  readonly detail?: string;
}

export type StateId =
  | 'function-missing'
  | 'function-not-ours'
  | 'rotation-disabled'
  | 'hopae-unknown'
  | 'rotation-in-flight'
  | 'pending-accepted'
  | 'pending-empty-current-accepted'
  | 'pending-empty-replayable'
  | 'pending-empty-refused'
  | 'pending-empty-expired'
  | 'pending-rejected'
  | 'pending-without-client-secret'
  | 'current-rejected-other-accepted'
  | 'current-rejected-none-accepted'
  | 'current-malformed'
  | 'first-rotation'
  | 'clean';

/** One UpdateSecretVersionStage call. */
export interface LabelMove {
  readonly description: string;
  readonly stage: 'AWSCURRENT' | 'AWSPENDING';
  readonly moveTo?: string;
  readonly removeFrom?: string;
}

/**
 * After the label moves: nothing (healthy), a rotation (`rotate` gets out), a fix only the
 * operator can make (configuration, a value), Hopae answering again (`retry`), or the end of a
 * rotation that may still be running (`wait`).
 */
export type Then = 'nothing' | 'rotate' | 'manual' | 'retry' | 'wait';

/** One step of the way out: a `hopae-rotation` command to run, or an action only a person can take. */
export type NextStep = { readonly run: string; readonly label?: string; readonly why?: string } | { readonly human: string };

export interface Row {
  readonly state: StateId;
  /** What is wrong, in one sentence. */
  readonly summary: string;
  readonly moves: readonly LabelMove[];
  readonly then: Then;
  /** The way out, in order: commands to run, stopping at the first action only a person can take. */
  readonly steps: readonly NextStep[];
  /** The way out, as the operator reads it (made from `steps`). */
  readonly action: string;
  /** rotation-in-flight: the row that applies once the rotation has stopped (`recover --yes --force` carries out its plan). */
  readonly ifStopped?: Row;
}

/** "carry out the plan (`hopae-rotation recover x --yes`), then run `hopae-rotation rotate x --wait`" */
export function describeSteps(steps: readonly NextStep[]): string {
  if (steps.length === 0) return 'nothing to do';
  const text = (step: NextStep) => {
    if ('human' in step) return step.human;
    const command = step.label ? `${step.label} (\`${step.run}\`)` : `run \`${step.run}\``;
    return step.why ? `${command}: ${step.why}` : command;
  };
  return steps.map(text).join(', then ');
}

function row(fields: Omit<Row, 'action'>): Row {
  return { ...fields, action: describeSteps(fields.steps) };
}

/** What the function's log tells about the unfinished rotation's attempts. */
export interface AttemptHistory {
  /** The log could not be read: nothing is known. */
  readonly unreadable?: string;
  /** createSecret failures, oldest first. */
  readonly createFailures: readonly StepFailure[];
  /** The newest line for this rotation is a step failure: no attempt of it is running. */
  readonly ended: boolean;
}

export const NO_HISTORY: AttemptHistory = { createFailures: [], ended: false };

// createSecret failures that prove Hopae committed nothing for the attempt: it refused with a 4xx, or
// the step stopped before calling it. Any other (unavailable, garbled, timed out, not stored) may
// have followed a commit.
const NOTHING_COMMITTED = new Set(['HOPAE_REJECTED', 'MALFORMED_SECRET', 'CONFIGURATION', 'INVALID_EVENT', 'ROTATION_STATE']);

/** A createSecret that failed with this errorCode left nothing committed at Hopae. */
export function committedNothing(errorCode: string): boolean {
  return NOTHING_COMMITTED.has(errorCode);
}

export function attemptHistory(log: RotationLog): AttemptHistory {
  if (log.kind === 'unreadable') return { unreadable: log.reason, createFailures: [], ended: false };
  const last = log.events[log.events.length - 1];
  return {
    createFailures: log.events.flatMap((e) => (e.failure?.step === 'createSecret' ? [e.failure] : [])),
    ended: last?.failure !== undefined,
  };
}

/** What classifyVersions needs besides the versions: the in-flight threshold and the attempts' history. */
export interface Knowledge {
  readonly stuckAfter: StuckAfter;
  readonly history: AttemptHistory;
}

/** Hopae remembers an Idempotency-Key this long: a rotation's own retry replays its secret until then. */
export const HOPAE_REPLAY_MS = 24 * 60 * 60 * 1000;

// Unlabelled versions beyond the newest few are not old secrets worth asking Hopae about.
const MAX_UNLABELLED = 10;

/** Rows decided from configuration alone, before any version is read. Undefined: read the versions. */
export function classifyConfiguration(state: SecretState, fn: FunctionInfo | undefined): Row | undefined {
  const none: LabelMove[] = [];
  const recover: NextStep = { run: `hopae-rotation recover ${state.name}` };
  if (!fn || fn.missing) {
    const what = fn ? `its rotation function ${functionName(fn.arn)} does not exist` : 'no rotation function is attached';
    return row({
      state: 'function-missing',
      summary: `${state.name}: ${what}, so no rotation can run.`,
      moves: none,
      then: 'manual',
      steps: [{ human: `deploy HopaeSecretRotation with ${state.name} in appSecrets (it creates the function and attaches it)` }, recover],
    });
  }
  if (!fn.ours) {
    const why = fn.problem ? `its configuration cannot be read (${fn.problem})` : 'it lacks HOPAE_API_BASE_URL and HOPAE_API_KEY_SECRET_ID';
    return row({
      state: 'function-not-ours',
      summary: `${state.name} is rotated by ${functionName(fn.arn)}, which is not a Hopae rotation function: ${why}.`,
      moves: none,
      then: 'manual',
      steps: fn.problem
        ? [{ human: 'allow lambda:GetFunctionConfiguration on the rotation function' }, recover]
        : [{ human: `attach the HopaeSecretRotation function (deploy HopaeSecretRotation with ${state.name} in appSecrets)` }, recover],
    });
  }
  if (!state.rotationEnabled) {
    return row({
      state: 'rotation-disabled',
      summary: `Rotation of ${state.name} is disabled (its function ${functionName(fn.arn)} is still attached).`,
      moves: none,
      then: 'manual',
      // CloudFormation does not notice a cancelled rotation: a redeploy without changes does not repair it.
      steps: [
        {
          human: `re-attach it with ${reattachCommand(state.name, fn.arn)}`,
        },
        recover,
      ],
    });
  }
  return undefined;
}

/**
 * The command that turns a cancelled rotation on again, with the rules in the shape the AWS CLI takes;
 * their values are the stack's (Secrets Manager's RotationRules after a cancel are not to be trusted).
 */
export function reattachCommand(secretName: string, functionArn: string): string {
  return (
    `\`aws secretsmanager rotate-secret --secret-id ${secretName} --rotation-lambda-arn ${functionArn} ` +
    `--rotation-rules '{"ScheduleExpression":"<expression>","Duration":"<window>"}' --no-rotate-immediately\`, ` +
    "with the expression and window of its AWS::SecretsManager::RotationSchedule (in the construct's app stacks: `cdk synth`, or the CloudFormation console; docs/fleet.md, RotationDisabled)"
  );
}

/**
 * Pending first (the likeliest holder of the newest secret), then current, previous (after
 * someone overwrote the current value), then recent unlabelled versions (an abandoned rotation).
 */
export function candidateVersions(state: SecretState): [Candidate['role'], VersionInfo][] {
  const list: [Candidate['role'], VersionInfo][] = [];
  if (state.pending) list.push(['pending', state.pending]);
  if (state.current) list.push(['current', state.current]);
  const previous = state.versions.find((v) => v.stages.includes('AWSPREVIOUS') && !v.stages.includes('AWSCURRENT'));
  if (previous) list.push(['previous', previous]);
  const unlabelled = state.versions.filter((v) => v.stages.length === 0).slice(0, MAX_UNLABELLED);
  for (const version of unlabelled) list.push(['unlabelled', version]);
  return list;
}

/** Reads each candidate's value and asks Hopae (GET /providers, read-only) whether its pair works. */
export async function judgeVersions(sm: SecretsManagerClient, probe: HopaeProbe, state: SecretState): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  for (const [role, version] of candidateVersions(state)) {
    const base = { version: version.id, role, created: version.created?.toISOString() ?? null };
    candidates.push({ ...base, ...(await judgeValue(probe, await readVersionValue(sm, state.arn, version.id), version.id)) });
  }
  return candidates;
}

async function judgeValue(probe: HopaeProbe, value: string | undefined, versionId: string): Promise<Pick<Candidate, 'verdict' | 'detail'>> {
  if (value === undefined) return { verdict: 'no value' };
  let clientId: string;
  let clientSecret: string | undefined;
  try {
    ({ clientId, clientSecret } = parseAppSecret(value, `version ${versionId}`));
  } catch {
    return { verdict: 'malformed' };
  }
  if (!clientSecret) return { verdict: 'no clientSecret' };
  const answer = await probe.pair(clientId, clientSecret);
  if (answer.ok) return { verdict: 'accepted' };
  return answer.refused ? { verdict: 'rejected' } : { verdict: 'unknown', detail: answer.label };
}

/**
 * The row for a secret whose configuration is sound, from what its versions hold, what the
 * function logged about the unfinished rotation, and the in-flight threshold. A pending version
 * younger than the threshold whose function logged no failure may still be running: its row is
 * rotation-in-flight, and the row it would have once stopped rides along as `ifStopped`.
 */
export function classifyVersions(state: SecretState, candidates: readonly Candidate[], now: number, knowledge: Knowledge = { stuckAfter: { minutes: 30, source: 'the default' }, history: NO_HISTORY }): Row {
  const settled = classifySettled(state, candidates, now, knowledge.history);
  const pending = state.pending;
  const startedAt = pending?.created?.getTime();
  if (!pending || startedAt === undefined || knowledge.history.ended) return settled;
  const stuckAt = startedAt + knowledge.stuckAfter.minutes * 60_000;
  if (now >= stuckAt) return settled;
  return row({
    state: 'rotation-in-flight',
    summary: `Rotation ${pending.id} began ${formatAge(now - startedAt)} ago, less than the in-flight threshold (${knowledge.stuckAfter.minutes} min, from ${knowledge.stuckAfter.source}), and its function logged no failure${knowledge.history.unreadable ? ' (its log cannot be read)' : ''}: it may still be running, and Hopae may commit at any moment.`,
    moves: settled.moves,
    then: 'wait',
    steps: [{ human: `wait until ${new Date(stuckAt).toISOString()} (\`hopae-rotation status\` follows it)` }, { run: `hopae-rotation recover ${state.name}` }],
    ifStopped: settled,
  });
}

function classifySettled(state: SecretState, candidates: readonly Candidate[], now: number, history: AttemptHistory): Row {
  const name = state.name;
  const rotate: NextStep = { run: `hopae-rotation rotate ${name} --wait` };
  const carryOut: NextStep = { run: `hopae-rotation recover ${name} --yes`, label: 'carry out the plan' };
  const unknown = candidates.find((c) => c.verdict === 'unknown');
  if (unknown) {
    return row({
      state: 'hopae-unknown',
      summary: `Hopae gave no usable answer for the ${unknown.role} version (${unknown.detail ?? 'no detail'}); nothing is changed on partial knowledge.`,
      moves: [],
      then: 'retry',
      steps: [{ human: `check the network path to Hopae (\`hopae-rotation doctor ${name}\` names the URL it used)` }, { run: `hopae-rotation recover ${name}` }],
    });
  }
  const pending = candidates.find((c) => c.role === 'pending');
  const current = candidates.find((c) => c.role === 'current');
  const accepted = candidates.find((c) => c.verdict === 'accepted');
  const moves: LabelMove[] = [];
  if (accepted && accepted.role !== 'current') {
    moves.push({
      description: `move AWSCURRENT to ${accepted.version} (the ${accepted.role} version Hopae accepts)${current ? `, from ${current.version}` : ''}`,
      stage: 'AWSCURRENT',
      moveTo: accepted.version,
      ...(current ? { removeFrom: current.version } : {}),
    });
  }

  if (pending) {
    const removePending = (why: string): LabelMove => ({ description: `remove AWSPENDING from ${pending.version}: ${why}`, stage: 'AWSPENDING', removeFrom: pending.version });
    const after = accepted ? { then: 'nothing' as const, steps: [carryOut] } : { then: 'rotate' as const, steps: [carryOut, rotate] };
    if (pending.verdict === 'accepted') {
      return row({ state: 'pending-accepted', summary: `The unfinished rotation ${pending.version} holds the pair Hopae accepts; only its last step is missing.`, moves: [...moves, removePending('its rotation is finished')], ...after });
    }
    if (pending.verdict === 'rejected') {
      return row({
        state: 'pending-rejected',
        summary: `The unfinished rotation ${pending.version} holds a pair Hopae rejects (the app was rotated elsewhere): retrying it cannot succeed, since createSecret keeps the stored value.`,
        moves: [...moves, removePending('Hopae rejects its pair')],
        ...after,
      });
    }
    if (pending.verdict === 'no clientSecret' || pending.verdict === 'malformed') {
      return row({
        state: 'pending-without-client-secret',
        summary: `AWSPENDING is on ${pending.version}, whose value holds no usable clientSecret (${pending.verdict}): testSecret would fail on every retry.`,
        moves: [...moves, removePending('its value has no clientSecret to test')],
        ...after,
      });
    }
    // No value: the rotation began, createSecret stored nothing.
    const failures = history.createFailures;
    const lastFailure = failures[failures.length - 1];
    const refused = lastFailure !== undefined && NOTHING_COMMITTED.has(lastFailure.errorCode) ? lastFailure : undefined;
    const refusal = refused ? `${refused.errorCode}: ${refused.message}` : '';
    if (accepted) {
      return row({
        state: 'pending-empty-current-accepted',
        summary: `The unfinished rotation ${pending.version} stored nothing, and the ${accepted.role} version still works: Hopae did not rotate.${refused ? ` Its createSecret failed (${refusal}): the next rotation fails the same way until that is fixed.` : ''}`,
        moves: [...moves, removePending('it holds no value and Hopae did not rotate')],
        then: 'nothing',
        steps: [carryOut],
      });
    }
    const mayHaveCommitted = failures.find((f) => !NOTHING_COMMITTED.has(f.errorCode));
    const started = state.pending?.created?.getTime();
    const replayUntil = started === undefined ? undefined : started + HOPAE_REPLAY_MS;
    const replayable = replayUntil !== undefined && now < replayUntil;
    if (refused && !(mayHaveCommitted && replayable)) {
      return row({
        state: 'pending-empty-refused',
        summary: `The unfinished rotation ${pending.version} stored nothing: its createSecret failed without Hopae committing anything (${refusal}), so there is no secret to replay and retrying it fails the same way.`,
        moves: [removePending('its rotation committed nothing at Hopae')],
        then: 'manual',
        steps: [carryOut, { human: `fix what the failure names (docs/runbook.md, ${refused.errorCode})` }, rotate],
      });
    }
    if (replayable) {
      const why = refused
        ? `its last attempt failed (${refusal}), but an earlier one (${mayHaveCommitted!.errorCode}) may have been committed by Hopae`
        : mayHaveCommitted
          ? `its createSecret failed with ${mayHaveCommitted.errorCode}, after which Hopae may have committed`
          : history.unreadable
            ? 'the function\'s log cannot be read to tell what its attempts did'
            : 'its function logged no createSecret failure';
      return row({
        state: 'pending-empty-replayable',
        summary: `The unfinished rotation ${pending.version} stored nothing and no stored pair works (${why}): if Hopae rotated, it replays that secret for this rotation's token until ${new Date(replayUntil).toISOString()}; if not, a retry rotates for the first time.`,
        moves: [],
        then: refused ? 'manual' : 'rotate',
        steps: refused
          ? [{ human: `fix what the last failure names (docs/runbook.md, ${refused.errorCode}), keeping AWSPENDING where it is` }, rotate]
          : [{ ...rotate, why: `it reattempts ${pending.version} with the same token now, so Hopae replays the secret it may have issued; keep AWSPENDING where it is` }],
      });
    }
    return row({
      state: 'pending-empty-expired',
      summary: `The unfinished rotation ${pending.version} stored nothing, no stored pair works, and it began more than 24 hours ago: Hopae no longer replays a secret it may have issued.`,
      moves: [removePending('Hopae no longer replays its secret (older than 24 hours)')],
      then: 'rotate',
      steps: [carryOut, rotate],
    });
  }

  if (accepted && accepted.role !== 'current') {
    return row({
      state: 'current-rejected-other-accepted',
      summary: `Hopae rejects AWSCURRENT (${current?.verdict ?? 'missing'}), but accepts the ${accepted.role} version ${accepted.version}.`,
      moves,
      then: 'nothing',
      steps: [carryOut],
    });
  }
  if (current?.verdict === 'accepted') {
    return row({ state: 'clean', summary: `${name} is healthy: AWSCURRENT holds the pair Hopae accepts, and no rotation is unfinished.`, moves: [], then: 'nothing', steps: [] });
  }
  if (current?.verdict === 'no clientSecret') {
    return row({
      state: 'first-rotation',
      summary: `${name} has no clientSecret yet: applications cannot call Hopae with it until the first rotation mints one (on schedule${state.nextRotation ? `, next ${state.nextRotation.toISOString()}` : ''}, or now).`,
      moves: [],
      then: 'rotate',
      steps: [rotate],
    });
  }
  if (current === undefined || current.verdict === 'malformed' || current.verdict === 'no value') {
    return row({
      state: 'current-malformed',
      summary: `AWSCURRENT of ${name} is ${current ? current.verdict : 'missing'} and no other version holds a pair Hopae accepts: a rotation needs its clientId.`,
      moves: [],
      then: 'manual',
      steps: [{ human: `store {"clientId": "<your app's clientId>"} with \`aws secretsmanager put-secret-value --secret-id ${name} --secret-string file://app.json\`` }, rotate],
    });
  }
  return row({
    state: 'current-rejected-none-accepted',
    summary: `Hopae rejects AWSCURRENT and every other stored version: the app was rotated elsewhere, or its secret lost.`,
    moves: [],
    then: 'rotate',
    steps: [{ ...rotate, why: 'Hopae issues a new secret with the workspace key' }],
  });
}
