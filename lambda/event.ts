import type { SecretsManagerRotationEvent } from 'aws-lambda';
import { InvalidEventError } from './errors';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/**
 * The event Secrets Manager sends. `RotationToken` (2025) is missing from @types/aws-lambda; it is
 * sensitive: pass it to PutSecretValue and never log it.
 */
export interface RotationEvent extends SecretsManagerRotationEvent {
  RotationToken?: string;
}

// The token is sent to Hopae as Idempotency-Key: an HTTP header value, and Hopae's key format.
const MAX_TOKEN_LENGTH = 255;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The parts of the event the steps use, checked. */
export interface RotationRequest {
  readonly step: RotationStep;
  readonly secretId: string;
  readonly token: string;
  readonly rotationToken: string | undefined;
}

/** Checks the event's shape; the messages name fields, never values other than the step name. */
export function parseRotationEvent(event: unknown): RotationRequest {
  if (typeof event !== 'object' || event === null) {
    throw new InvalidEventError('The event is not an object; expected a Secrets Manager rotation event');
  }
  const { Step, SecretId, ClientRequestToken, RotationToken } = event as Record<string, unknown>;
  if (typeof Step !== 'string' || !(ROTATION_STEPS as readonly string[]).includes(Step)) {
    const shown = typeof Step === 'string' ? `"${Step.slice(0, 40)}"` : typeof Step;
    throw new InvalidEventError(`Unknown rotation step ${shown}; expected one of ${ROTATION_STEPS.join(', ')}`);
  }
  if (typeof SecretId !== 'string' || SecretId.trim() === '') {
    throw new InvalidEventError('The event has no SecretId');
  }
  if (typeof ClientRequestToken !== 'string' || ClientRequestToken.trim() === '') {
    throw new InvalidEventError('The event has no ClientRequestToken');
  }
  if (!IDEMPOTENCY_KEY.test(ClientRequestToken)) {
    throw new InvalidEventError(
      `The event's ClientRequestToken (${ClientRequestToken.length} characters) cannot be sent as Idempotency-Key: it must be printable ASCII without spaces, at most ${MAX_TOKEN_LENGTH} characters. Start the rotation with a token like a UUID`,
    );
  }
  if (RotationToken !== undefined && typeof RotationToken !== 'string') {
    throw new InvalidEventError('The event has a RotationToken that is not a string');
  }
  return {
    step: Step as RotationStep,
    secretId: SecretId,
    token: ClientRequestToken,
    rotationToken: RotationToken === '' ? undefined : RotationToken,
  };
}
