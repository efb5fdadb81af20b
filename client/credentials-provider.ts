import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A Hopae app's Basic-auth pair. */
export interface HopaeCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface HopaeCredentialsProviderOptions {
  /** ARN or name of the secret the rotation function keeps fresh. */
  readonly secretId: string;
  /**
   * The Secrets Manager client to read with.
   *
   * @default new SecretsManagerClient({}) (the SDK's standard configuration)
   */
  readonly client?: SecretsManagerClient;
  /**
   * How long a pair read from Secrets Manager is reused before it is read again.
   *
   * @default 300_000 (5 minutes)
   */
  readonly ttlMs?: number;
  /**
   * After a 401, how long to keep looking when neither AWSCURRENT nor AWSPENDING holds a newer pair
   * yet: between Hopae's commit and createSecret storing the new secret, it is nowhere to read.
   *
   * @default 2_000
   */
  readonly maxRefreshWaitMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default real timers */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_TTL_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_REFRESH_WAIT_MS = 2_000;
// First pause of the look-again loop; later pauses double.
const FIRST_PAUSE_MS = 100;

/**
 * The credentials an application uses to call Hopae, read from Secrets Manager and kept in
 * memory. Hopae kills the old clientSecret the moment a rotation creates the new one, while
 * AWSCURRENT still names the old one until the rotation finishes: after a 401,
 * {@link refreshAfterRejection} looks in AWSCURRENT and then AWSPENDING for a newer pair.
 *
 * Secret values stay in memory: nothing here logs or prints them.
 */
export class HopaeCredentialsProvider {
  private readonly client: SecretsManagerClient;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxRefreshWaitMs: number;
  private cached: { readonly credentials: HopaeCredentials; readonly expiresAt: number } | undefined;
  private reading: Promise<HopaeCredentials> | undefined;
  private refreshing: { readonly rejectedSecret: string; readonly result: Promise<HopaeCredentials | undefined> } | undefined;

  constructor(readonly options: HopaeCredentialsProviderOptions) {
    this.client = options.client ?? new SecretsManagerClient({});
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxRefreshWaitMs = options.maxRefreshWaitMs ?? DEFAULT_MAX_REFRESH_WAIT_MS;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs < 0) throw new RangeError(`ttlMs must be zero or more; got ${this.ttlMs}`);
    if (!Number.isFinite(this.maxRefreshWaitMs) || this.maxRefreshWaitMs < 0) {
      throw new RangeError(`maxRefreshWaitMs must be zero or more; got ${this.maxRefreshWaitMs}`);
    }
  }

  /** The cached pair, or AWSCURRENT read once for every concurrent caller. */
  async get(): Promise<HopaeCredentials> {
    if (this.cached && this.now() < this.cached.expiresAt) return this.cached.credentials;
    if (!this.reading) {
      this.reading = this.read('AWSCURRENT')
        .then((credentials) => {
          if (!credentials) throw new Error(`Secret ${this.options.secretId} has no AWSCURRENT value`);
          this.remember(credentials);
          return credentials;
        })
        .finally(() => {
          this.reading = undefined;
        });
    }
    return this.reading;
  }

  /**
   * After Hopae answered 401 to `rejected`: a newer pair from AWSCURRENT, or else from AWSPENDING
   * (during a rotation the new secret is only there), looking again for up to `maxRefreshWaitMs`;
   * undefined when nothing newer turns up. A burst of 401s for the same pair shares one refresh,
   * and callers that arrive after it get its result without reading again.
   */
  async refreshAfterRejection(rejected: HopaeCredentials): Promise<HopaeCredentials | undefined> {
    if (this.cached && !samePair(this.cached.credentials, rejected)) return this.cached.credentials;
    if (this.refreshing?.rejectedSecret !== rejected.clientSecret) {
      const result = this.findNewer(rejected).finally(() => {
        if (this.refreshing?.result === result) this.refreshing = undefined;
      });
      this.refreshing = { rejectedSecret: rejected.clientSecret, result };
    }
    return this.refreshing.result;
  }

  /** Forgets the cached pair, e.g. on Secrets Manager's `Secret Label Updated` event. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async findNewer(rejected: HopaeCredentials): Promise<HopaeCredentials | undefined> {
    let waited = 0;
    for (let pause = FIRST_PAUSE_MS; ; pause *= 2) {
      for (const stage of ['AWSCURRENT', 'AWSPENDING'] as const) {
        const candidate = await this.read(stage);
        if (candidate && !samePair(candidate, rejected)) {
          this.remember(candidate);
          return candidate;
        }
      }
      if (waited >= this.maxRefreshWaitMs) return undefined;
      const step = Math.min(pause, this.maxRefreshWaitMs - waited);
      await this.sleep(step);
      waited += step;
    }
  }

  private remember(credentials: HopaeCredentials): void {
    this.cached = { credentials, expiresAt: this.now() + this.ttlMs };
  }

  /** The pair in a stage; undefined when the stage has no value (AWSPENDING outside a rotation). */
  private async read(stage: 'AWSCURRENT' | 'AWSPENDING'): Promise<HopaeCredentials | undefined> {
    let value: string | undefined;
    try {
      value = (await this.client.send(new GetSecretValueCommand({ SecretId: this.options.secretId, VersionStage: stage }))).SecretString;
    } catch (error) {
      if (stage === 'AWSPENDING' && error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    return parseCredentials(value, stage, this.options.secretId, stage === 'AWSPENDING');
  }
}

function samePair(a: HopaeCredentials, b: HopaeCredentials): boolean {
  return a.clientId === b.clientId && a.clientSecret === b.clientSecret;
}

/** `{"clientId", "clientSecret", ...}`; the message names what is wrong and what to run, never the value. */
function parseCredentials(value: string | undefined, stage: string, secretId: string, optional: boolean): HopaeCredentials | undefined {
  let parsed: unknown;
  try {
    parsed = value === undefined ? undefined : JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const { clientId, clientSecret } = (parsed ?? {}) as { clientId?: unknown; clientSecret?: unknown };
  if (typeof clientId === 'string' && clientId !== '' && typeof clientSecret === 'string' && clientSecret !== '') {
    return { clientId, clientSecret };
  }
  if (optional) return undefined;
  const label = `${stage} of ${secretId}`;
  // A secret created for the construct's clientIds holds only its clientId until the first rotation.
  if (typeof clientId === 'string' && clientId !== '' && clientSecret === undefined) {
    throw new Error(
      `${label} has a clientId but no clientSecret yet: its first rotation mints it. ` +
        `Run \`hopae-rotation rotate ${secretId} --wait\` (or wait for its schedule); \`hopae-rotation doctor ${secretId}\` tells what blocks it`,
    );
  }
  throw new Error(`${label} is not JSON with a non-empty clientId and clientSecret: \`hopae-rotation doctor ${secretId}\` tells what is wrong and the fix`);
}
