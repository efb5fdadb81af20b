import { RotationStateError } from '../errors';
import { AWSCURRENT, AWSPENDING, type SecretMetadata } from '../secret-store';

/**
 * The checks AWS's own rotation template makes before every step. Returns 'done' when the token's
 * version is already AWSCURRENT (a late retry of a finished rotation), 'proceed' otherwise.
 *
 * `tokenMayBeNew`: a rotation run by the operator's CLI, without Secrets Manager, has no version
 * for its token until createSecret stores one; only createSecret may pass it.
 */
export function checkRotationState(metadata: SecretMetadata, token: string, tokenMayBeNew: boolean): 'proceed' | 'done' {
  if (!metadata.rotationEnabled) {
    throw new RotationStateError(
      `Rotation is not enabled for secret ${metadata.arn}; turn it on with this function as the rotation Lambda before running rotation steps`,
    );
  }
  const stages = metadata.versionStages[token];
  if (!stages && tokenMayBeNew) return 'proceed';
  if (!stages) {
    throw new RotationStateError(
      `Secret ${metadata.arn} has no version ${token}; the ClientRequestToken must be the id of the version Secrets Manager created for this rotation`,
    );
  }
  if (stages.includes(AWSCURRENT)) return 'done';
  if (!stages.includes(AWSPENDING)) {
    throw new RotationStateError(
      `Version ${token} of secret ${metadata.arn} is neither AWSCURRENT nor AWSPENDING: the rotation was abandoned or replaced. If Hopae already rotated, that version may hold the only valid clientSecret; see docs/runbook.md of hopae-secret-rotation before starting a new rotation`,
    );
  }
  return 'proceed';
}
