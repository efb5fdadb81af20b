import { AWSCURRENT, versionWithStage } from '../secret-store';
import type { StepDependencies, StepInput, StepOutcome } from './context';

/** Moves AWSCURRENT to the new version; Secrets Manager labels the old one AWSPREVIOUS. */
export async function finishSecret(deps: StepDependencies, input: StepInput): Promise<StepOutcome> {
  const { metadata, request, signal } = input;
  const currentVersion = versionWithStage(metadata, AWSCURRENT);
  await deps.store.promoteToCurrent(metadata.arn, request.token, currentVersion, signal);
  deps.logger.info('AWSCURRENT moved to the new version', { previousVersion: currentVersion });
  return 'finished';
}
