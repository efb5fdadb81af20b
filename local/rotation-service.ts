/**
 * Plays Secrets Manager's part of a rotation locally, where moto cannot run a Lambda: on
 * RotateSecret it creates the rotation's version in moto, invokes the real handler for the steps,
 * removes AWSPENDING from the finished version, and copies the function's log lines to the
 * function's CloudWatch Logs group in moto, as Lambda does. Used by the CLI tests and the playground.
 */
import { randomBytes } from 'node:crypto';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeSecretCommand,
  InvalidRequestException,
  RotateSecretCommand,
  type RotateSecretCommandInput,
  type RotateSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { RotationStep } from '../lambda/event';
import { completeRotation, releaseFinishedPending, type RotationHandler, runSteps, type StepRun } from './rotation-driver';
import { tapOutput } from './output-tap';

export interface RotationServiceOptions {
  /** Reaches moto directly. */
  readonly sm: SecretsManagerClient;
  readonly handler: RotationHandler;
  /** moto's CloudWatch Logs; without it the function's log lines go nowhere. */
  readonly logs?: CloudWatchLogsClient;
  /** Called when a rotation starts, with its token and its runs. */
  readonly onRun?: (token: string, runs: Promise<StepRun[]>) => void;
}

export class RotationServiceEmulator {
  constructor(private readonly options: RotationServiceOptions) {}

  /**
   * RotateSecret as AWS answers it: keeps the attached function when none is named, reattempts an
   * unfinished rotation (with its token) instead of starting another, and runs only testSecret
   * (then drops AWSPENDING) for RotateImmediately=false.
   */
  async rotateSecret(input: RotateSecretCommandInput): Promise<Pick<RotateSecretCommandOutput, 'ARN' | 'Name' | 'VersionId'>> {
    const { sm } = this.options;
    const described = await sm.send(new DescribeSecretCommand({ SecretId: input.SecretId }));
    const functionArn = input.RotationLambdaARN ?? described.RotationLambdaARN;
    if (!functionArn) throw new InvalidRequestException({ message: 'No Lambda rotation function ARN is associated with this secret.', $metadata: {} });
    const stages = described.VersionIdsToStages ?? {};
    const pending = Object.keys(stages).find((id) => stages[id]!.includes('AWSPENDING') && !stages[id]!.includes('AWSCURRENT'));
    if (pending) {
      this.start(described.ARN!, pending, functionArn, undefined);
      throw new InvalidRequestException({ message: "A previous rotation isn't complete. That rotation will be reattempted.", $metadata: {} });
    }
    // moto keeps AWSPENDING on a finished version and would refuse; AWS has removed it by then.
    await releaseFinishedPending(sm, described.ARN!);
    const started = await sm.send(new RotateSecretCommand({ ...input, RotationLambdaARN: functionArn, ...motoRotationRules(input.RotationRules) }));
    this.start(started.ARN!, started.VersionId!, functionArn, input.RotateImmediately === false ? ['testSecret'] : undefined);
    return { ARN: started.ARN, Name: started.Name, VersionId: started.VersionId };
  }

  private start(arn: string, token: string, functionArn: string, steps: readonly RotationStep[] | undefined): void {
    const runs = this.run(arn, token, functionArn, steps);
    this.options.onRun?.(token, runs);
  }

  /** The steps, then what the service does after them: AWSPENDING off the version. */
  private async run(arn: string, token: string, functionArn: string, steps: readonly RotationStep[] | undefined): Promise<StepRun[]> {
    const lines: string[] = [];
    const untap = tapOutput((text) => {
      for (const line of text.split('\n')) if (line.includes(`"token":"${token}"`)) lines.push(line);
    });
    let runs: StepRun[];
    try {
      // Let RotateSecret answer first, as the service invokes the function asynchronously.
      await Promise.resolve();
      runs = await runSteps(this.options.handler, arn, token, { steps });
    } finally {
      untap();
    }
    const allPassed = runs.every((r) => !r.error);
    if (allPassed && steps === undefined) await completeRotation(this.options.sm, arn, token);
    // A RotateImmediately=false check leaves no rotation behind in AWS; moto labels some version
    // AWSPENDING (not always the one it returned): take the label off wherever it is.
    if (steps !== undefined) {
      const stages = (await this.options.sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
      for (const [versionId, labels] of Object.entries(stages)) {
        if (labels.includes('AWSPENDING')) await completeRotation(this.options.sm, arn, versionId);
      }
    }
    await this.writeLog(functionArn, lines);
    return runs;
  }

  private async writeLog(functionArn: string, lines: readonly string[]): Promise<void> {
    const logs = this.options.logs;
    if (!logs || lines.length === 0) return;
    const logGroupName = `/aws/lambda/${functionArn.split(':').pop()}`;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName }));
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
    }
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    const now = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: lines.map((message) => ({ timestamp: now, message })) }));
  }
}

/**
 * moto ignores ScheduleExpression and then shows rotation as disabled, where AWS enables it on that
 * schedule: re-attaching a secret as the runbook says (`--rotation-rules '{"ScheduleExpression": ...}'`)
 * would leave it disabled here and loop. Give moto a day count it understands instead; the schedule
 * itself is not emulated (no rotation window runs locally).
 */
function motoRotationRules(rules: RotateSecretCommandInput['RotationRules']): Pick<RotateSecretCommandInput, 'RotationRules'> {
  if (!rules?.ScheduleExpression || rules.AutomaticallyAfterDays !== undefined) return {};
  return { RotationRules: { AutomaticallyAfterDays: 30 } };
}
