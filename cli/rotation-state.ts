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
import type { HopaeProbe } from './hopae-probe';
import { functionName, readVersionValue, type FunctionInfo, type SecretState, type VersionInfo } from './secrets';

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
  | 'pending-accepted'
  | 'pending-empty-current-accepted'
  | 'pending-empty-replayable'
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
 * After the label moves: nothing (healthy), a rotation (`rotate` gets out), or a fix only the
 * operator can make (configuration, a value), after which `recover` is run again on a new state.
 */
export type Then = 'nothing' | 'rotate' | 'manual' | 'retry';

export interface Row {
  readonly state: StateId;
  /** What is wrong, in one sentence. */
  readonly summary: string;
  readonly moves: readonly LabelMove[];
  readonly then: Then;
  /** The one action that gets out, as the operator reads it. */
  readonly action: string;
}

/** Hopae remembers an Idempotency-Key this long: a rotation's own retry replays its secret until then. */
export const HOPAE_REPLAY_MS = 24 * 60 * 60 * 1000;

// Unlabelled versions beyond the newest few are not old secrets worth asking Hopae about.
const MAX_UNLABELLED = 10;

/** Rows decided from configuration alone, before any version is read. Undefined: read the versions. */
export function classifyConfiguration(state: SecretState, fn: FunctionInfo | undefined): Row | undefined {
  const none: LabelMove[] = [];
  if (!fn || fn.missing) {
    const what = fn ? `its rotation function ${functionName(fn.arn)} does not exist` : 'no rotation function is attached';
    return {
      state: 'function-missing',
      summary: `${state.name}: ${what}, so no rotation can run.`,
      moves: none,
      then: 'manual',
      action: `deploy HopaeSecretRotation with ${state.name} in appSecrets (it creates the function and attaches it), then run \`hopae-rotation recover ${state.name}\``,
    };
  }
  if (!fn.ours) {
    const why = fn.problem ? `its configuration cannot be read (${fn.problem})` : 'it lacks HOPAE_API_BASE_URL and HOPAE_API_KEY_SECRET_ID';
    return {
      state: 'function-not-ours',
      summary: `${state.name} is rotated by ${functionName(fn.arn)}, which is not a Hopae rotation function: ${why}.`,
      moves: none,
      then: 'manual',
      action: fn.problem
        ? 'allow lambda:GetFunctionConfiguration on the rotation function, then run this again'
        : `attach the HopaeSecretRotation function (deploy HopaeSecretRotation with ${state.name} in appSecrets)`,
    };
  }
  if (!state.rotationEnabled) {
    return {
      state: 'rotation-disabled',
      summary: `Rotation of ${state.name} is disabled (its function ${functionName(fn.arn)} is still attached).`,
      moves: none,
      then: 'manual',
      // CloudFormation does not notice a cancelled rotation: a redeploy without changes does not repair it.
      action: `re-attach it with \`aws secretsmanager rotate-secret --secret-id ${state.name} --rotation-lambda-arn ${fn.arn} --rotation-rules '<the secret's schedule: its RotationSchedule in the stack>' --no-rotate-immediately\` (docs/fleet.md, RotationDisabled), then run \`hopae-rotation recover ${state.name}\``,
    };
  }
  return undefined;
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

/** The row for a secret whose configuration is sound, from what its versions hold. */
export function classifyVersions(state: SecretState, candidates: readonly Candidate[], now: number): Row {
  const name = state.name;
  const rotate = `run \`hopae-rotation rotate ${name} --wait\``;
  const unknown = candidates.find((c) => c.verdict === 'unknown');
  if (unknown) {
    return {
      state: 'hopae-unknown',
      summary: `Hopae gave no usable answer for the ${unknown.role} version (${unknown.detail ?? 'no detail'}); nothing is changed on partial knowledge.`,
      moves: [],
      then: 'retry',
      action: `check the network path to Hopae (\`hopae-rotation doctor ${name}\`), then run \`hopae-rotation recover ${name}\` again`,
    };
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
    const after = accepted ? { then: 'nothing' as const, action: `carry out the plan (\`hopae-rotation recover ${name} --yes\`)` } : { then: 'rotate' as const, action: `carry out the plan (\`hopae-rotation recover ${name} --yes\`), then ${rotate}: Hopae issues a new secret` };
    if (pending.verdict === 'accepted') {
      return { state: 'pending-accepted', summary: `The unfinished rotation ${pending.version} holds the pair Hopae accepts; only its last step is missing.`, moves: [...moves, removePending('its rotation is finished')], ...after };
    }
    if (pending.verdict === 'rejected') {
      return {
        state: 'pending-rejected',
        summary: `The unfinished rotation ${pending.version} holds a pair Hopae rejects (the app was rotated elsewhere): retrying it cannot succeed, since createSecret keeps the stored value.`,
        moves: [...moves, removePending('Hopae rejects its pair')],
        ...after,
      };
    }
    if (pending.verdict === 'no clientSecret' || pending.verdict === 'malformed') {
      return {
        state: 'pending-without-client-secret',
        summary: `AWSPENDING is on ${pending.version}, whose value holds no usable clientSecret (${pending.verdict}): testSecret would fail on every retry.`,
        moves: [...moves, removePending('its value has no clientSecret to test')],
        ...after,
      };
    }
    // No value: the rotation began, createSecret stored nothing.
    if (accepted) {
      return {
        state: 'pending-empty-current-accepted',
        summary: `The unfinished rotation ${pending.version} stored nothing, and the ${accepted.role} version still works: Hopae did not rotate.`,
        moves: [...moves, removePending('it holds no value and Hopae did not rotate')],
        ...after,
      };
    }
    const started = state.pending?.created?.getTime();
    const replayUntil = started === undefined ? undefined : started + HOPAE_REPLAY_MS;
    if (replayUntil !== undefined && now < replayUntil) {
      return {
        state: 'pending-empty-replayable',
        summary: `The unfinished rotation ${pending.version} stored nothing and no stored pair works: Hopae probably rotated, and replays that secret for this rotation's token until ${new Date(replayUntil).toISOString()}.`,
        moves: [],
        then: 'rotate',
        action: `${rotate} now (it reattempts ${pending.version} with the same token, so Hopae replays the secret it issued); keep AWSPENDING where it is`,
      };
    }
    return {
      state: 'pending-empty-expired',
      summary: `The unfinished rotation ${pending.version} stored nothing, no stored pair works, and it began more than 24 hours ago: Hopae no longer replays its secret.`,
      moves: [removePending('Hopae no longer replays its secret (older than 24 hours)')],
      then: 'rotate',
      action: `carry out the plan (\`hopae-rotation recover ${name} --yes\`), then ${rotate}: Hopae issues a new secret`,
    };
  }

  if (accepted && accepted.role !== 'current') {
    return {
      state: 'current-rejected-other-accepted',
      summary: `Hopae rejects AWSCURRENT (${current?.verdict ?? 'missing'}), but accepts the ${accepted.role} version ${accepted.version}.`,
      moves,
      then: 'nothing',
      action: `carry out the plan (\`hopae-rotation recover ${name} --yes\`)`,
    };
  }
  if (current?.verdict === 'accepted') {
    return { state: 'clean', summary: `${name} is healthy: AWSCURRENT holds the pair Hopae accepts, and no rotation is unfinished.`, moves: [], then: 'nothing', action: 'nothing to do' };
  }
  if (current?.verdict === 'no clientSecret') {
    return { state: 'first-rotation', summary: `${name} has no clientSecret yet: the first rotation mints it (on schedule, or now with \`hopae-rotation rotate ${name} --wait\`).`, moves: [], then: 'nothing', action: 'nothing to do' };
  }
  if (current === undefined || current.verdict === 'malformed' || current.verdict === 'no value') {
    return {
      state: 'current-malformed',
      summary: `AWSCURRENT of ${name} is ${current ? current.verdict : 'missing'} and no other version holds a pair Hopae accepts: a rotation needs its clientId.`,
      moves: [],
      then: 'manual',
      action: `store {"clientId": "<your app's clientId>"} with \`aws secretsmanager put-secret-value --secret-id ${name} --secret-string file://app.json\`, then ${rotate}`,
    };
  }
  return {
    state: 'current-rejected-none-accepted',
    summary: `Hopae rejects AWSCURRENT and every other stored version: the app was rotated elsewhere, or its secret lost.`,
    moves: [],
    then: 'rotate',
    action: `${rotate}: Hopae issues a new secret with the workspace key`,
  };
}
