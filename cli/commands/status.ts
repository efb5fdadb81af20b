import { type CommandContext, readCurrentAppSecret } from '../context';
import { EXIT } from '../errors';
import { formatAge, formatDate } from '../output';
import { functionName, listAllSecrets, readSecretState, type SecretState } from '../secrets';

export interface StatusOptions {
  /** Only secrets rotated by this function (name or ARN); default: every function that is ours. */
  readonly functionName?: string;
  /** An unfinished rotation older than this is stuck. */
  readonly stuckAfterMinutes: number;
}

type RotationHealth = 'ok' | 'rotating' | 'stuck' | 'disabled';

interface SecretStatus {
  readonly secret: string;
  readonly clientId: string | null;
  readonly function: string;
  readonly lastRotated: string | null;
  readonly nextRotation: string | null;
  readonly currentAgeSeconds: number | null;
  readonly state: RotationHealth;
  readonly pendingVersion: string | null;
}

/** Every secret whose rotation function is ours, with its rotation health. Exit 1 when any is stuck. */
export async function statusCommand(context: CommandContext, options: StatusOptions): Promise<number> {
  const { deps, out } = context;
  const wanted = options.functionName ? functionName(options.functionName) : undefined;
  const entries = await listAllSecrets(deps.sm);
  const ours: { arn: string; fn: string }[] = [];
  for (const entry of entries) {
    const arn = entry.RotationLambdaARN;
    if (!arn || !entry.ARN) continue;
    const isOurs = wanted ? functionName(arn) === wanted : (await context.functions.lookup(arn)).ours;
    if (isOurs) ours.push({ arn: entry.ARN, fn: functionName(arn) });
  }

  const now = deps.now();
  const statuses: SecretStatus[] = [];
  for (const { arn, fn } of ours) {
    const state = await readSecretState(deps.sm, arn);
    statuses.push({
      secret: state.name,
      clientId: await clientIdOf(context, state),
      function: fn,
      lastRotated: state.lastRotated?.toISOString() ?? null,
      nextRotation: state.nextRotation?.toISOString() ?? null,
      currentAgeSeconds: state.current?.created ? Math.round((now - state.current.created.getTime()) / 1000) : null,
      state: healthOf(state, now, options.stuckAfterMinutes),
      pendingVersion: state.pending?.id ?? null,
    });
  }
  statuses.sort((a, b) => a.secret.localeCompare(b.secret));

  if (statuses.length === 0) {
    out.note(wanted ? `No secret is rotated by ${wanted}.` : 'No secret is rotated by a Hopae rotation function in this account and region.');
  } else {
    out.table(
      ['SECRET', 'CLIENT ID', 'LAST ROTATED', 'NEXT ROTATION', 'CURRENT AGE', 'STATE'],
      statuses.map((s) => [
        s.secret,
        s.clientId ?? '?',
        formatDate(s.lastRotated ? new Date(s.lastRotated) : undefined),
        formatDate(s.nextRotation ? new Date(s.nextRotation) : undefined),
        formatAge(s.currentAgeSeconds === null ? undefined : s.currentAgeSeconds * 1000),
        paintState(context, s.state),
      ]),
    );
  }
  const stuck = statuses.filter((s) => s.state === 'stuck');
  for (const s of stuck) out.note(out.warn(`${s.secret}: rotation ${s.pendingVersion} is stuck; run \`hopae-rotation recover ${s.secret}\``));
  out.result({ secrets: statuses, stuck: stuck.length });
  return stuck.length > 0 ? EXIT.FAILED : EXIT.OK;
}

function healthOf(state: SecretState, now: number, stuckAfterMinutes: number): RotationHealth {
  if (state.pending) {
    const since = state.pending.created?.getTime() ?? 0;
    return now - since > stuckAfterMinutes * 60_000 ? 'stuck' : 'rotating';
  }
  return state.rotationEnabled ? 'ok' : 'disabled';
}

/** Only the clientId is read out of the value; unreadable or malformed shows as '?'. */
async function clientIdOf(context: CommandContext, state: SecretState): Promise<string | null> {
  try {
    return (await readCurrentAppSecret(context, state)).clientId;
  } catch {
    return null;
  }
}

function paintState(context: CommandContext, state: RotationHealth): string {
  const { out } = context;
  if (state === 'ok') return out.paint('green', state);
  if (state === 'stuck') return out.paint('red', state);
  return out.paint('yellow', state);
}
