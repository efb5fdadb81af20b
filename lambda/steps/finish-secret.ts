import { parseAppSecret } from '../app-secret';
import { MalformedSecretError, RotationStateError } from '../errors';
import { AWSCURRENT, AWSPENDING, versionWithStage } from '../secret-store';
import type { StepDependencies, StepInput, StepOutcome } from './context';

/**
 * Moves AWSCURRENT to the new version; Secrets Manager labels the old one AWSPREVIOUS. Only a
 * version holding an app secret with a clientSecret is promoted: AWSCURRENT always holds a usable
 * pair, even when testSecret ran alone (it then checks the current pair and leaves the pending
 * version empty).
 */
export async function finishSecret(deps: StepDependencies, input: StepInput): Promise<StepOutcome> {
  const { metadata, request, signal } = input;
  const arn = metadata.arn;
  const label = `AWSPENDING version ${request.token} of secret ${arn}`;
  const pendingValue = await deps.store.getVersionValue(arn, request.token, AWSPENDING, signal);
  if (pendingValue === undefined) {
    throw new RotationStateError(
      `${label} has no value: no clientSecret from Hopae was stored in it, so there is nothing to promote. AWSCURRENT was not moved. Rotate the secret again ("Rotate secret immediately" or hopae-rotation rotate): createSecret stores the new clientSecret first.`,
    );
  }
  if (parseAppSecret(pendingValue, label).clientSecret === undefined) {
    throw new MalformedSecretError(`${label} has no clientSecret: AWSCURRENT was not moved. Rotate the secret again so createSecret stores one.`);
  }
  const currentVersion = versionWithStage(metadata, AWSCURRENT);
  await deps.store.promoteToCurrent(arn, request.token, currentVersion, signal);
  deps.logger.info('AWSCURRENT moved to the new version', { previousVersion: currentVersion });
  return 'finished';
}
