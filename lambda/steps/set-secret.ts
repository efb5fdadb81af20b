import type { StepDependencies, StepInput, StepOutcome } from './context';

/** Nothing to apply: Hopae switched to the new secret when createSecret rotated it. */
export async function setSecret(deps: StepDependencies, _input: StepInput): Promise<StepOutcome> {
  deps.logger.info('Nothing to set: Hopae already uses the new clientSecret');
  return 'nothing-to-set';
}
