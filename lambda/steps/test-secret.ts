import { parseAppSecret } from '../app-secret';
import { MalformedSecretError } from '../errors';
import { AWSCURRENT, AWSPENDING } from '../secret-store';
import type { StepDependencies, StepInput, StepOutcome } from './context';

/**
 * Proves the pending pair works against Hopae with a read-only call. Never rotates.
 *
 * A schedule set with RotateImmediately=false runs this step alone as a configuration check, with
 * no pending value: then the current pair is checked instead.
 */
export async function testSecret(deps: StepDependencies, input: StepInput): Promise<StepOutcome> {
  const { store, hopae, logger } = deps;
  const { request, metadata, signal } = input;
  const arn = metadata.arn;

  const pendingValue = await store.getVersionValue(arn, request.token, AWSPENDING, signal);
  if (pendingValue === undefined) {
    const current = parseAppSecret(await store.getByStage(arn, AWSCURRENT, signal), `AWSCURRENT of secret ${arn}`);
    logger.appendKeys({ clientId: current.clientId });
    if (current.clientSecret === undefined) {
      logger.info('No pending value and no current clientSecret yet: nothing to verify (the first rotation mints it)');
      return 'nothing-to-verify';
    }
    logger.info('No pending value (testSecret run alone): checking the current pair instead');
    await hopae.checkCredentials({ clientId: current.clientId, clientSecret: current.clientSecret, label: 'current', deadline: input.hopaeDeadline, signal });
    return 'current-verified';
  }

  const pending = parseAppSecret(pendingValue, `AWSPENDING version ${request.token} of secret ${arn}`);
  logger.appendKeys({ clientId: pending.clientId });
  if (pending.clientSecret === undefined) {
    throw new MalformedSecretError(`AWSPENDING version ${request.token} of secret ${arn} has no clientSecret to test`);
  }
  await hopae.checkCredentials({ clientId: pending.clientId, clientSecret: pending.clientSecret, label: 'pending', deadline: input.hopaeDeadline, signal });
  return 'pending-verified';
}
