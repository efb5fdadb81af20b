import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { assessVersions, type HopaeUsed, reportHopaeUsed } from '../assess';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../errors';
import { probeFor } from '../hopae-probe';
import { formatDate } from '../output';
import { type Candidate, classifyConfiguration, describeSteps, type Row } from '../rotation-state';
import { readSecretState, resolveHopaeAccess, type StuckAfter } from '../secrets';

export interface RecoverOptions {
  readonly secretId: string;
  /** Act; without it only the plan is printed. */
  readonly yes: boolean;
  /** Act on a rotation that may still be in flight (younger than the in-flight threshold). */
  readonly force: boolean;
  /** Overrides the function's in-flight threshold. */
  readonly stuckAfterMinutes?: number;
  readonly apiBaseUrl?: string;
  readonly workspaceKeySecret?: string;
}

/**
 * For a stuck or abandoned rotation: finds the secret's row in the state table (cli/rotation-state)
 * and plans its way out. Prints the plan; moves labels only with --yes; never rotates at Hopae.
 * A rotation that may still be in flight is left alone unless --force.
 * Exit 0 when the secret is (or is left) healthy, 1 when a rotation, a wait or a manual fix must follow.
 */
export async function recoverCommand(context: CommandContext, options: RecoverOptions): Promise<number> {
  const { deps, out } = context;
  const state = await readSecretState(deps.sm, options.secretId);
  const fn = state.rotationLambdaArn ? await context.functions.lookup(state.rotationLambdaArn) : undefined;
  let candidates: Candidate[] = [];
  let hopae: HopaeUsed | undefined;
  let stuckAfter: StuckAfter | undefined;
  let row = classifyConfiguration(state, fn);
  // Another's function is bad input; ours unreadable (a permission) is a fix to make.
  if (row?.state === 'function-not-ours' && !fn?.problem) throw new CliError(`${row.summary} ${row.action}.`);
  if (!row) {
    const access = await resolveHopaeAccess(options, deps.env, fn);
    hopae = reportHopaeUsed(out, access, fn);
    ({ candidates, row, stuckAfter } = await assessVersions(context, state, fn!, probeFor(deps.transport, access), options.stuckAfterMinutes));
    out.table(
      ['VERSION', 'ROLE', 'CREATED', 'HOPAE'],
      candidates.map((c) => [c.version, c.role, formatDate(c.created ? new Date(c.created) : undefined), c.detail ? `${c.verdict} (${c.detail})` : c.verdict]),
    );
    out.line();
  }

  const inFlight = row.state === 'rotation-in-flight';
  // With --force, a rotation in flight is treated as stopped: its own row's plan applies.
  const plan: Row = inFlight && options.force && row.ifStopped ? row.ifStopped : row;
  const accepted = candidates.find((c) => c.verdict === 'accepted')?.version ?? null;
  const report = (applied: boolean, refused?: string) => ({
    secret: state.name,
    state: row.state,
    summary: row.summary,
    candidates,
    accepted,
    actions: plan.moves,
    applied,
    then: plan.then,
    next: plan.action,
    steps: plan.steps,
    ...(inFlight && row.ifStopped ? { ifStopped: { state: row.ifStopped.state, summary: row.ifStopped.summary, actions: row.ifStopped.moves, next: row.ifStopped.action } } : {}),
    ...(refused ? { refused } : {}),
    ...(stuckAfter ? { stuckAfter } : {}),
    ...(hopae ? { hopae } : {}),
  });
  const healthyAfter = plan.then === 'nothing';
  const exitCode = healthyAfter ? EXIT.OK : EXIT.FAILED;

  if (inFlight && !options.force) {
    out.line(out.warn(row.summary));
    if (row.ifStopped) {
      out.line(`If it has stopped, it is ${row.ifStopped.state}: ${row.ifStopped.summary}`);
      for (const move of row.ifStopped.moves) out.line(`  - ${move.description}`);
    }
    const refused = options.yes
      ? `Nothing changed: a rotation younger than the in-flight threshold may still be running, and moving its labels now could strand the secret Hopae is about to issue. Add --force only if you know it has stopped.`
      : undefined;
    if (refused) out.line(`\n${refused}`);
    out.line(`Next: ${row.action}.`);
    out.result(report(false, refused));
    return EXIT.FAILED;
  }

  if (plan.moves.length === 0) {
    out.line(healthyAfter ? out.pass(plan.summary) : out.fail(plan.summary));
    if (!healthyAfter) out.line(`Next: ${plan.action}.`);
    out.result(report(false));
    return exitCode;
  }

  out.line(out.warn(plan.summary));
  out.line('Plan:');
  for (const move of plan.moves) out.line(`  - ${move.description}`);
  if (!options.yes) {
    out.line('\nNothing changed. Run again with --yes to carry out the plan.');
    out.line(`Next: ${plan.action}.`);
    out.result(report(false));
    return exitCode;
  }
  for (const move of plan.moves) {
    await deps.sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: state.arn,
        VersionStage: move.stage,
        ...(move.moveTo ? { MoveToVersionId: move.moveTo } : {}),
        ...(move.removeFrom ? { RemoveFromVersionId: move.removeFrom } : {}),
      }),
    );
  }
  // What remains once the labels moved: the plan's steps after carrying it out.
  const remaining = plan.steps.filter((step) => !('run' in step && step.run === `hopae-rotation recover ${state.name} --yes`));
  out.line(
    healthyAfter
      ? out.pass(`${state.name} recovered: AWSCURRENT is ${plan.moves.find((m) => m.stage === 'AWSCURRENT')?.moveTo ?? state.current?.id}.`)
      : out.warn(`Labels moved. Next: ${describeSteps(remaining)}.`),
  );
  out.result({ ...report(true), steps: remaining, next: describeSteps(remaining) });
  return exitCode;
}
