/**
 * Thrown when HopaeSecretRotation's props are invalid; `prop` names the offending property of
 * `HopaeSecretRotationProps` (or of the example app's context). Its message starts with
 * `HopaeSecretRotation: <prop> `.
 *
 * TypeScript and JavaScript only: jsii cannot carry a subclass of Error to other languages, where
 * the synth fails with the same message (in Python a `RuntimeError`).
 *
 * @jsii ignore
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
