import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { parseAppSecret } from '../../lambda/app-secret';
import { type CommandContext, requireOurFunction } from '../context';
import { EXIT } from '../errors';
import { HopaeProbe } from '../hopae-probe';
import { formatDate } from '../output';
import { readSecretState, readVersionValue, resolveHopaeAccess, type SecretState, type VersionInfo } from '../secrets';

export interface RecoverOptions {
  readonly secretId: string;
  /** Act; without it only the plan is printed. */
  readonly yes: boolean;
  readonly apiBaseUrl?: string;
  readonly workspaceKeySecret?: string;
}

type Verdict = 'accepted' | 'rejected' | 'no value' | 'malformed' | 'no clientSecret' | 'unknown';

interface Candidate {
  readonly version: string;
  readonly role: 'pending' | 'current' | 'previous' | 'unlabelled';
  readonly created: string | null;
  readonly verdict: Verdict;
  readonly detail?: string;
}

interface Action {
  readonly description: string;
  readonly stage: 'AWSCURRENT' | 'AWSPENDING';
  readonly moveTo?: string;
  readonly removeFrom?: string;
}

// Unlabelled versions older than these are not old secrets worth asking Hopae about.
const MAX_UNLABELLED = 10;

/**
 * For a stuck or abandoned rotation: finds the version whose pair Hopae accepts and puts
 * AWSCURRENT there. Prints its plan; acts only with --yes; never rotates at Hopae.
 */
export async function recoverCommand(context: CommandContext, options: RecoverOptions): Promise<number> {
  const { deps, out } = context;
  const state = await readSecretState(deps.sm, options.secretId);
  const fn = await requireOurFunction(context, state);
  const access = await resolveHopaeAccess(options, deps.env, fn);
  const probe = new HopaeProbe(deps.transport, access.apiBaseUrl);

  const candidates: Candidate[] = [];
  for (const [role, version] of candidateVersions(state)) {
    candidates.push(await judge(context, probe, state, role, version));
  }
  out.table(
    ['VERSION', 'ROLE', 'CREATED', 'HOPAE'],
    candidates.map((c) => [c.version, c.role, formatDate(c.created ? new Date(c.created) : undefined), c.detail ? `${c.verdict} (${c.detail})` : c.verdict]),
  );
  out.line();

  if (candidates.some((c) => c.verdict === 'unknown')) {
    out.line(out.fail('Hopae did not answer for every version; nothing is changed on partial knowledge. Try again.'));
    out.result({ secret: state.name, candidates, accepted: null, actions: [], applied: false });
    return EXIT.FAILED;
  }
  const accepted = candidates.find((c) => c.verdict === 'accepted');
  if (!accepted) {
    const message =
      `No stored version of ${state.name} is accepted by Hopae. Run \`hopae-rotation rotate ${state.name}\`: ` +
      (state.pending
        ? 'Secrets Manager reattempts the unfinished rotation, and within 24 hours of its start Hopae replays the secret it issued; later, Hopae issues a new one.'
        : 'Hopae issues a new secret.');
    out.line(out.fail(message));
    out.result({ secret: state.name, candidates, accepted: null, actions: [], applied: false, next: `hopae-rotation rotate ${state.name}` });
    return EXIT.FAILED;
  }

  const actions = plan(state, accepted);
  if (actions.length === 0) {
    out.line(out.pass(`${state.name} is healthy: AWSCURRENT holds the pair Hopae accepts, and no rotation is unfinished.`));
    out.result({ secret: state.name, candidates, accepted: accepted.version, actions, applied: false });
    return EXIT.OK;
  }
  out.line('Plan:');
  for (const action of actions) out.line(`  - ${action.description}`);
  if (!options.yes) {
    out.line('\nNothing changed. Run again with --yes to carry out the plan.');
    out.result({ secret: state.name, candidates, accepted: accepted.version, actions, applied: false });
    return EXIT.OK;
  }
  for (const action of actions) {
    await deps.sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: state.arn,
        VersionStage: action.stage,
        ...(action.moveTo ? { MoveToVersionId: action.moveTo } : {}),
        ...(action.removeFrom ? { RemoveFromVersionId: action.removeFrom } : {}),
      }),
    );
  }
  out.line(out.pass(`${state.name} recovered: AWSCURRENT is ${accepted.version}.`));
  out.result({ secret: state.name, candidates, accepted: accepted.version, actions, applied: true });
  return EXIT.OK;
}

/**
 * Pending first (the likeliest holder of the newest secret), then current, previous (after
 * someone overwrote the current value), then recent unlabelled versions (an abandoned rotation).
 */
function candidateVersions(state: SecretState): [Candidate['role'], VersionInfo][] {
  const list: [Candidate['role'], VersionInfo][] = [];
  if (state.pending) list.push(['pending', state.pending]);
  if (state.current) list.push(['current', state.current]);
  const previous = state.versions.find((v) => v.stages.includes('AWSPREVIOUS') && !v.stages.includes('AWSCURRENT'));
  if (previous) list.push(['previous', previous]);
  const unlabelled = state.versions.filter((v) => v.stages.length === 0).slice(0, MAX_UNLABELLED);
  for (const version of unlabelled) list.push(['unlabelled', version]);
  return list;
}

async function judge(context: CommandContext, probe: HopaeProbe, state: SecretState, role: Candidate['role'], version: VersionInfo): Promise<Candidate> {
  const base = { version: version.id, role, created: version.created?.toISOString() ?? null };
  const value = await readVersionValue(context.deps.sm, state.arn, version.id);
  if (value === undefined) return { ...base, verdict: 'no value' };
  let clientId: string;
  let clientSecret: string | undefined;
  try {
    ({ clientId, clientSecret } = parseAppSecret(value, `version ${version.id}`));
  } catch {
    return { ...base, verdict: 'malformed' };
  }
  if (!clientSecret) return { ...base, verdict: 'no clientSecret' };
  const answer = await probe.pair(clientId, clientSecret);
  if (answer.ok) return { ...base, verdict: 'accepted' };
  return answer.refused ? { ...base, verdict: 'rejected' } : { ...base, verdict: 'unknown', detail: answer.label };
}

function plan(state: SecretState, accepted: Candidate): Action[] {
  const actions: Action[] = [];
  const current = state.current?.id;
  if (accepted.version !== current) {
    actions.push({
      description: `move AWSCURRENT to ${accepted.version} (the ${accepted.role} version Hopae accepts)${current ? `, from ${current}` : ''}`,
      stage: 'AWSCURRENT',
      moveTo: accepted.version,
      ...(current ? { removeFrom: current } : {}),
    });
  }
  if (state.pending) {
    actions.push({
      description:
        accepted.version === state.pending.id
          ? `remove AWSPENDING from ${state.pending.id}: its rotation is finished`
          : `remove the stale AWSPENDING from ${state.pending.id}: Hopae rejects its pair`,
      stage: 'AWSPENDING',
      removeFrom: state.pending.id,
    });
  }
  return actions;
}
