import { HopaeSecretRotationPropsError } from './errors';

/**
 * The Hopae Connect API a rotation talks to: Hopae's sandbox or its production environment, each
 * with its API base URL (including `/connect/v1`). An enum-like class: `HopaeEnvironment.SANDBOX`,
 * `HopaeEnvironment.PRODUCTION`, or `HopaeEnvironment.of(name)` for a name read from configuration.
 */
export class HopaeEnvironment {
  /** Hopae's sandbox, `https://sandbox.api.hopae.com/connect/v1`: for `sk_workspace_test_…` keys. */
  static readonly SANDBOX = new HopaeEnvironment('sandbox', 'https://sandbox.api.hopae.com/connect/v1');

  /** Hopae's production environment, `https://api.hopae.com/connect/v1`: for `sk_workspace_prod_…` keys. */
  static readonly PRODUCTION = new HopaeEnvironment('production', 'https://api.hopae.com/connect/v1');

  /**
   * The environment named `name`: `sandbox` or `production`.
   *
   * @throws HopaeSecretRotationPropsError (prop `environment`) for any other name
   */
  static of(name: string): HopaeEnvironment {
    const found = [HopaeEnvironment.SANDBOX, HopaeEnvironment.PRODUCTION].find((environment) => environment.name === name);
    if (!found) throw new HopaeSecretRotationPropsError('environment', `must be 'sandbox' or 'production'; got '${name}'`);
    return found;
  }

  private constructor(
    /** `sandbox` or `production`. */
    readonly name: string,
    /** The API base URL, including `/connect/v1`, without a trailing slash. */
    readonly apiBaseUrl: string,
  ) {}

  /** The name, e.g. in a message or a stack name. */
  toString(): string {
    return this.name;
  }
}
