import { type CommandContext } from '../context';
import { type ConsumerSurvey, type Survival, surveyConsumers } from '../consumers';
import { EXIT } from '../errors';
import { readSecretState } from '../secrets';

export interface ConsumersOptions {
  readonly secretId: string;
  /** How many days of CloudTrail's GetSecretValue events to read. */
  readonly days: number;
  readonly cloudTrail: boolean;
}

const VERDICT: Record<Survival, string> = {
  breaks: 'breaks until restarted',
  restarted: 'restarted by refreshOnRotation',
  depends: 'survives only with a re-read on 401',
  rotates: 'the rotation itself',
};

/**
 * Who reads the secret and whether each survives a rotation: ECS task definitions that inject it,
 * Lambda functions whose environment names it, principals that called GetSecretValue on it.
 * Exit 1 when a consumer breaks at the next rotation.
 */
export async function consumersCommand(context: CommandContext, options: ConsumersOptions): Promise<number> {
  const { deps, out } = context;
  const state = await readSecretState(deps.sm, options.secretId);
  const rotation = state.rotationLambdaArn ? await context.functions.lookup(state.rotationLambdaArn) : undefined;
  const survey = await surveyConsumers(deps, {
    secret: { arn: state.arn, name: state.name },
    rotationRoleArn: rotation?.role,
    days: options.days,
    withoutCloudTrail: !options.cloudTrail,
    now: deps.now,
    sleep: deps.sleep,
  });
  render(context, state.name, survey);
  const breaking = survey.consumers.filter((c) => c.survival === 'breaks');
  out.result({
    secret: state.name,
    arn: state.arn,
    consumers: survey.consumers,
    breaking: breaking.length,
    lookedAt: survey.lookedAt,
    notLookedAt: survey.gaps,
    cloudTrail: survey.cloudTrail ?? null,
  });
  return breaking.length > 0 ? EXIT.FAILED : EXIT.OK;
}

function render({ out }: CommandContext, name: string, survey: ConsumerSurvey): void {
  // Name only what was read: a source that failed is listed below as not looked at.
  const looked = survey.lookedAt.length > 0 ? `looked at ${survey.lookedAt.join(', ')}` : 'nothing could be looked at';
  const unread = survey.gaps.length > 0 ? `; not looked at: ${survey.gaps.map((gap) => gap.slice(0, gap.indexOf(':'))).join(', ')}, see below` : '';
  out.line(`${name}: ${survey.consumers.length === 0 ? 'no consumer found' : `${survey.consumers.length} consumer${survey.consumers.length === 1 ? '' : 's'}`} (${looked}${unread})`);
  if (survey.consumers.length > 0) {
    out.line();
    out.table(
      ['KIND', 'CONSUMER', 'READS', 'AT A ROTATION'],
      survey.consumers.map((c) => [
        c.kind === 'ecs-task-definition' ? 'ECS' : c.kind === 'lambda-function' ? 'Lambda' : 'principal',
        c.name,
        c.reads,
        c.survival === 'breaks' ? out.fail(VERDICT[c.survival]) : c.survival === 'rotates' ? out.pass(VERDICT[c.survival]) : out.warn(VERDICT[c.survival]),
      ]),
    );
    out.line();
    for (const c of survey.consumers.filter((c) => c.survival !== 'rotates')) out.line(`  ${c.name}: ${c.detail}`);
  }
  if (survey.cloudTrail && !survey.cloudTrail.complete) {
    const { events, pagesRead, oldest } = survey.cloudTrail;
    out.line(
      `  CloudTrail: only the newest ${events} GetSecretValue events of the account were read (${pagesRead} pages of 50, back to ${oldest?.toISOString() ?? 'unknown'}); ` +
        'readers seen only before that are missing: query the trail\'s logs (Athena or CloudTrail Lake) for GetSecretValue on this secret.',
    );
  }
  for (const gap of survey.gaps) out.note(`Not looked at: ${gap}`);
}
