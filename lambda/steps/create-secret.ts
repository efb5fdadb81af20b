import { fingerprint, largestNextVersionBytes, looksLikeHopaeSecret, MAX_SECRET_STRING_BYTES, parseAppSecret, withClientSecret } from '../app-secret';
import { HopaeRejectedError, MalformedSecretError, PendingNotStoredError } from '../errors';
import { AWSCURRENT, AWSPENDING } from '../secret-store';
import type { StepDependencies, StepInput, StepOutcome } from './context';

/**
 * Asks Hopae for a new clientSecret and stores it at once as AWSPENDING. Hopae kills the old
 * secret when it commits, so from that moment the new value exists only in Hopae's answer (and its
 * 24-hour idempotency replay): storing it is the first thing done with it.
 */
export async function createSecret(deps: StepDependencies, input: StepInput): Promise<StepOutcome> {
  const { store, hopae, workspaceKey, logger } = deps;
  const { request, metadata, signal } = input;
  const arn = metadata.arn;

  // Validate before anything reaches Hopae: a bad secret must change nothing.
  const current = parseAppSecret(await store.getByStage(arn, AWSCURRENT, signal), `AWSCURRENT of secret ${arn}`);
  logger.appendKeys({ clientId: current.clientId });

  if ((await store.getVersionValue(arn, request.token, AWSPENDING, signal)) !== undefined) {
    logger.info('The pending version already has a value: this is a retry, nothing to create');
    return 'already-created';
  }

  const largest = largestNextVersionBytes(current);
  if (largest > MAX_SECRET_STRING_BYTES) {
    throw new MalformedSecretError(
      `AWSCURRENT of secret ${arn} is too large to rotate: with a new clientSecret the next version could take ${largest} bytes, over Secrets Manager's limit of ${MAX_SECRET_STRING_BYTES}, and Hopae's answer could not be stored. Nothing was sent to Hopae. Move at least ${largest - MAX_SECRET_STRING_BYTES} bytes of other fields out of this secret, then rotate again.`,
    );
  }

  const rotate = (apiKey: string) =>
    hopae.rotateClientSecret({
      clientId: current.clientId,
      apiKey,
      idempotencyKey: request.token,
      deadline: input.hopaeDeadline,
      signal,
    });
  const apiKey = await workspaceKey.get(signal);
  let rotated;
  try {
    rotated = await rotate(apiKey);
  } catch (error) {
    if (!isKeyRefused(error)) throw error;
    // A 401 commits nothing at Hopae. The key may have been replaced in its secret since this
    // container read it (a warm container keeps it): read it again and, if it changed, try once
    // more with the same Idempotency-Key, rather than fail a rotation whose key is already fixed.
    workspaceKey.invalidate();
    const stored = await workspaceKey.get(signal);
    if (stored === apiKey) {
      // Still the refused key: read it again next time, in case it is fixed by then.
      workspaceKey.invalidate();
      throw error;
    }
    logger.info('Hopae refused the workspace key this container had cached; its secret holds another key now: trying once more with it');
    try {
      rotated = await rotate(stored);
    } catch (again) {
      if (isKeyRefused(again)) workspaceKey.invalidate();
      throw again;
    }
  }

  const newFingerprint = fingerprint(rotated.clientSecret);
  if (rotated.replayed) {
    deps.metrics.idempotentReplay();
    logger.info('Hopae replayed an earlier commit of this rotation (Idempotency-Replayed: true)', {
      idempotencyReplayed: true,
    });
  }
  if (!looksLikeHopaeSecret(rotated.clientSecret)) {
    logger.warn('The new clientSecret is not 64 hex characters as Hopae documents; storing it anyway', {
      secretFingerprint: newFingerprint,
      secretLength: rotated.clientSecret.length,
    });
  }

  try {
    await store.putPending(arn, request.token, withClientSecret(current, rotated.clientSecret), request.rotationToken, signal);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    throw new PendingNotStoredError(
      `Hopae rotated the clientSecret of app ${current.clientId} (the old secret no longer works), but storing the new one as AWSPENDING of ${arn} failed (${reason}). ` +
        `Retry this same rotation within 24 hours of its start (Secrets Manager retries it; or "Rotate immediately" once the cause is fixed): Hopae replays the same secret for this rotation's Idempotency-Key and it will be stored.`,
      { cause: error },
    );
  }
  logger.info('Stored the new clientSecret as AWSPENDING', {
    secretFingerprint: newFingerprint,
    hopaeAttempts: rotated.attempts,
  });
  return 'created';
}

function isKeyRefused(error: unknown): boolean {
  return error instanceof HopaeRejectedError && error.status === 401;
}
