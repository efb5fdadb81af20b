import type { RotationStep } from '../event';
import type { StepDependencies, StepInput, StepOutcome } from './context';
import { createSecret } from './create-secret';
import { finishSecret } from './finish-secret';
import { checkRotationState } from './precheck';
import { setSecret } from './set-secret';
import { testSecret } from './test-secret';

export type { StepDependencies, StepInput, StepOutcome } from './context';

const STEPS: Record<RotationStep, (deps: StepDependencies, input: StepInput) => Promise<StepOutcome>> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};

export interface RunStepOptions {
  /**
   * The rotation was begun without Secrets Manager (the operator CLI's --local), so createSecret
   * creates the token's version itself.
   */
  readonly beganWithoutSecretsManager?: boolean;
}

/** One rotation step: DescribeSecret, the pre-checks, then the step itself. */
export async function runRotationStep(
  deps: StepDependencies,
  input: Omit<StepInput, 'metadata'>,
  options: RunStepOptions = {},
): Promise<StepOutcome> {
  const metadata = await deps.store.describe(input.request.secretId, input.signal);
  deps.logger.appendKeys({ secretArn: metadata.arn });
  const tokenMayBeNew = options.beganWithoutSecretsManager === true && input.request.step === 'createSecret';
  if (checkRotationState(metadata, input.request.token, tokenMayBeNew) === 'done') {
    deps.logger.info('The version is already AWSCURRENT: this rotation is finished');
    return 'already-current';
  }
  return STEPS[input.request.step](deps, { ...input, metadata });
}
