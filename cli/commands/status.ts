import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { formatAge, formatDate } from '../output';
import { type AppSecret, parseAppSecret } from '../../lambda/app-secret';
import { MalformedSecretError } from '../../lambda/errors';
import { functionName, listAllSecrets, readSecretState, readVersionValue, resolveStuckAfter, type SecretState, type StuckAfter } from '../secrets';

export interface StatusOptions {
  /** Only secrets rotated by this function (name or ARN); default: every function that is ours. */
  readonly functionName?: string;
  /** Overrides each function's in-flight threshold. */
  readonly stuckAfterMinutes?: number;
}

/**
 * ok: rotation enabled, nothing unfinished, AWSCURRENT is app-secret JSON with a clientSecret
 * (whether Hopae accepts it is not asked); rotating: an unfinished rotation younger than the
 * in-flight threshold; stuck: older; disabled; malformed: AWSCURRENT is not app-secret JSON;
 * no-secret: no clientSecret yet (the first rotation mints it); unreadable: GetSecretValue failed.
 */
type RotationHealth = 'ok' | 'rotating' | 'stuck' | 'disabled' | 'malformed' | 'no-secret' | 'unreadable';

const NEEDS_ATTENTION: ReadonlySet<RotationHealth> = new Set(['stuck', 'disabled', 'malformed', 'no-secret', 'unreadable']);

/** What `status` looks at, and what it leaves to `doctor`: said in every output, so `ok` is not read as more. */
const CHECKED = [
  'rotation enabled, with a Hopae rotation function attached',
  'AWSPENDING on a version other than AWSCURRENT, and its age against the in-flight threshold',
  'AWSCURRENT is JSON with a clientId and a clientSecret (read, never printed)',
];
const NOT_CHECKED = 'whether Hopae accepts the stored pairs (run `hopae-rotation doctor <secret>`, which asks Hopae read-only)';

interface SecretStatus {
  readonly secret: string;
  readonly clientId: string | null;
  readonly function: string;
  readonly lastRotated: string | null;
  readonly nextRotation: string | null;
  readonly currentAgeSeconds: number | null;
  readonly state: RotationHealth;
  readonly pendingVersion: string | null;
  readonly stuckAfter: StuckAfter;
  readonly problem?: string;
}

/** Every secret whose rotation function is ours, with its rotation health. Exit 1 when any needs attention. */
export async function statusCommand(context: CommandContext, options: StatusOptions): Promise<number> {
  const { deps, out } = context;
  const wanted = options.functionName ? functionName(options.functionName) : undefined;
  const entries = await listAllSecrets(deps.sm);
  const ours: { arn: string; fnArn: string }[] = [];
  for (const entry of entries) {
    const arn = entry.RotationLambdaARN;
    if (!arn || !entry.ARN) continue;
    const isOurs = wanted ? functionName(arn) === wanted : (await context.functions.lookup(arn)).ours;
    if (isOurs) ours.push({ arn: entry.ARN, fnArn: arn });
  }
  if (wanted) {
    // This tool reports only on Hopae rotation functions: say so rather than list another's secrets as "ok".
    const fn = await context.functions.lookup(options.functionName!);
    if (fn.missing) throw new CliError(`No function ${wanted} in this account and region (check --function, AWS_REGION and AWS_PROFILE)`);
    if (!fn.ours && !fn.problem) throw new CliError(`${wanted} is not a Hopae rotation function (it lacks HOPAE_API_BASE_URL and HOPAE_API_KEY_SECRET_ID)`);
  }

  const now = deps.now();
  const statuses: SecretStatus[] = [];
  for (const { arn, fnArn } of ours) {
    const state = await readSecretState(deps.sm, arn);
    const stuckAfter = resolveStuckAfter(options.stuckAfterMinutes, await context.functions.lookup(fnArn));
    const read = await readCurrent(context, state);
    const value = 'value' in read ? read.value : undefined;
    statuses.push({
      secret: state.name,
      clientId: value?.clientId ?? null,
      function: functionName(fnArn),
      lastRotated: state.lastRotated?.toISOString() ?? null,
      nextRotation: state.nextRotation?.toISOString() ?? null,
      currentAgeSeconds: state.current?.created ? Math.round((now - state.current.created.getTime()) / 1000) : null,
      state: 'problem' in read && !state.pending ? 'unreadable' : healthOf(state, value, now, stuckAfter.minutes),
      pendingVersion: state.pending?.id ?? null,
      stuckAfter,
      ...('problem' in read ? { problem: read.problem } : {}),
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
    out.line();
    out.line(`Checked: ${CHECKED.join('; ')}.`);
    out.line(`Not checked: ${NOT_CHECKED}.`);
  }
  const attention = statuses.filter((s) => NEEDS_ATTENTION.has(s.state));
  for (const s of attention) out.note(out.warn(`${s.secret}: ${advice(s)}`));
  out.result({ secrets: statuses, stuck: statuses.filter((s) => s.state === 'stuck').length, needsAttention: attention.length, checked: CHECKED, notChecked: NOT_CHECKED });
  return attention.length > 0 ? EXIT.FAILED : EXIT.OK;
}

function advice(s: SecretStatus): string {
  switch (s.state) {
    case 'stuck':
      return `rotation ${s.pendingVersion} is older than ${s.stuckAfter.minutes} min (${s.stuckAfter.source}): stuck; run \`hopae-rotation recover ${s.secret}\``;
    case 'malformed':
      return `AWSCURRENT is not app-secret JSON; run \`hopae-rotation recover ${s.secret}\``;
    case 'unreadable':
      return `AWSCURRENT cannot be read (${s.problem}); allow secretsmanager:GetSecretValue (and kms:Decrypt on its key) to whoever runs this`;
    case 'no-secret':
      return `no clientSecret yet; run \`hopae-rotation rotate ${s.secret} --wait\` to mint it now, or wait for the schedule`;
    default:
      return `rotation is disabled; run \`hopae-rotation doctor ${s.secret}\` for how to re-attach it`;
  }
}

function healthOf(state: SecretState, value: { clientSecret: string | undefined } | undefined, now: number, stuckAfterMinutes: number): RotationHealth {
  if (state.pending) {
    const since = state.pending.created?.getTime() ?? 0;
    return now - since > stuckAfterMinutes * 60_000 ? 'stuck' : 'rotating';
  }
  if (!state.rotationEnabled) return 'disabled';
  if (!value) return 'malformed';
  return value.clientSecret ? 'ok' : 'no-secret';
}

/** AWSCURRENT parsed (undefined when missing or malformed), or why it could not be read. */
async function readCurrent(context: CommandContext, state: SecretState): Promise<{ value: AppSecret | undefined } | { problem: string }> {
  if (!state.current) return { value: undefined };
  let text: string | undefined;
  try {
    text = await readVersionValue(context.deps.sm, state.arn, state.current.id);
  } catch (error) {
    return { problem: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  try {
    return { value: parseAppSecret(text, `AWSCURRENT of ${state.name}`) };
  } catch (error) {
    if (error instanceof MalformedSecretError) return { value: undefined };
    throw error;
  }
}

function paintState(context: CommandContext, state: RotationHealth): string {
  const { out } = context;
  if (state === 'ok') return out.paint('green', state);
  if (state === 'stuck' || state === 'malformed' || state === 'unreadable') return out.paint('red', state);
  return out.paint('yellow', state);
}
