import type { HopaeSecretRotationProps } from './hopae-secret-rotation';

/** Thrown when HopaeSecretRotation's props are invalid; `prop` names the offending property. */
export class HopaeSecretRotationPropsError extends Error {
  constructor(
    readonly prop: keyof HopaeSecretRotationProps,
    detail: string,
  ) {
    super(`HopaeSecretRotation: ${prop} ${detail}`);
    this.name = 'HopaeSecretRotationPropsError';
  }
}
