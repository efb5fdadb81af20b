import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { probeFor } from '../hopae-probe';
import { formatDate } from '../output';
import { type Candidate, classifyConfiguration, classifyVersions, judgeVersions } from '../rotation-state';
import { readSecretState, resolveHopaeAccess } from '../secrets';

export interface RecoverOptions {
  readonly secretId: string;
  /** Act; without it only the plan is printed. */
  readonly yes: boolean;
  readonly apiBaseUrl?: string;
  readonly workspaceKeySecret?: string;
}

/**
 * For a stuck or abandoned rotation: finds the secret's row in the state table (cli/rotation-state)
 * and plans its way out. Prints the plan; moves labels only with --yes; never rotates at Hopae.
 * Exit 0 when the secret is (or is left) healthy, 1 when a rotation or a manual fix must follow.
 */
export async function recoverCommand(context: CommandContext, options: RecoverOptions): Promise<number> {
  const { deps, out } = context;
  const state = await readSecretState(deps.sm, options.secretId);
  if (!state.rotationLambdaArn) {
    throw new CliError(`Secret ${state.name} has no rotation function: it is not rotated by a Hopae rotation function`);
  }
  const fn = await context.functions.lookup(state.rotationLambdaArn);
  let candidates: Candidate[] = [];
  let row = classifyConfiguration(state, fn);
  // Another's function is bad input; ours unreadable (a permission) is a fix to make.
  if (row?.state === 'function-not-ours' && !fn.problem) throw new CliError(`${row.summary} ${row.action}.`);
  if (!row) {
    const access = await resolveHopaeAccess(options, deps.env, fn);
    candidates = await judgeVersions(deps.sm, probeFor(deps.transport, access), state);
    out.table(
      ['VERSION', 'ROLE', 'CREATED', 'HOPAE'],
      candidates.map((c) => [c.version, c.role, formatDate(c.created ? new Date(c.created) : undefined), c.detail ? `${c.verdict} (${c.detail})` : c.verdict]),
    );
    out.line();
    row = classifyVersions(state, candidates, deps.now());
  }

  const accepted = candidates.find((c) => c.verdict === 'accepted')?.version ?? null;
  const report = (applied: boolean) => ({ secret: state.name, state: row.state, summary: row.summary, candidates, accepted, actions: row.moves, applied, then: row.then, next: row.action });
  const healthyAfter = row.then === 'nothing';
  if (row.moves.length === 0) {
    out.line(healthyAfter ? out.pass(row.summary) : out.fail(row.summary));
    if (!healthyAfter) out.line(`Next: ${row.action}.`);
    out.result(report(false));
    return healthyAfter ? EXIT.OK : EXIT.FAILED;
  }

  out.line(out.warn(row.summary));
  out.line('Plan:');
  for (const move of row.moves) out.line(`  - ${move.description}`);
  if (row.then === 'rotate') out.line(`  - then run \`hopae-rotation rotate ${state.name} --wait\`: Hopae issues a new secret`);
  if (!options.yes) {
    out.line('\nNothing changed. Run again with --yes to carry out the plan.');
    out.result(report(false));
    return healthyAfter ? EXIT.OK : EXIT.FAILED;
  }
  for (const move of row.moves) {
    await deps.sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: state.arn,
        VersionStage: move.stage,
        ...(move.moveTo ? { MoveToVersionId: move.moveTo } : {}),
        ...(move.removeFrom ? { RemoveFromVersionId: move.removeFrom } : {}),
      }),
    );
  }
  out.line(
    healthyAfter
      ? out.pass(`${state.name} recovered: AWSCURRENT is ${row.moves.find((m) => m.stage === 'AWSCURRENT')?.moveTo ?? state.current?.id}.`)
      : out.warn(`Labels moved. Next: run \`hopae-rotation rotate ${state.name} --wait\`: Hopae issues a new secret.`),
  );
  out.result(report(true));
  return healthyAfter ? EXIT.OK : EXIT.FAILED;
}
