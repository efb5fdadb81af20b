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

/** One rotation step: DescribeSecret, the pre-checks, then the step itself. */
export async function runRotationStep(
  deps: StepDependencies,
  input: Omit<StepInput, 'metadata'>,
): Promise<StepOutcome> {
  const metadata = await deps.store.describe(input.request.secretId, input.signal);
  deps.logger.appendKeys({ secretArn: metadata.arn });
  if (checkRotationState(metadata, input.request.token) === 'done') {
    deps.logger.info('The version is already AWSCURRENT: this rotation is finished');
    return 'already-current';
  }
  return STEPS[input.request.step](deps, { ...input, metadata });
}
