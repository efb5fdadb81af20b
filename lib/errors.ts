/**
 * Thrown when HopaeSecretRotation's props are invalid; `prop` names the offending property of
 * `HopaeSecretRotationProps` (or of the example app's context).
 */
export class HopaeSecretRotationPropsError extends Error {
  constructor(
    readonly prop: string,
    detail: string,
  ) {
    super(`HopaeSecretRotation: ${prop} ${detail}`);
    this.name = 'HopaeSecretRotationPropsError';
  }
}
