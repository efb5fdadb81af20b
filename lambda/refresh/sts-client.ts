/**
 * STS `AssumeRole`, the call that gives the refresh the role allowed to redeploy one app stack's
 * services (the construct puts one such role in each app stack, lib/service-refresh.ts): a
 * SigV4-signed Query request (./signed-request.ts) to the function's regional STS endpoint, and
 * the temporary credentials kept until shortly before they expire.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { endpointUrl, type SignedClientOptions, type SignedTransport, sendSigned, signedTransport } from './signed-request';

/** STS answered with an error (`code` from its XML, e.g. AccessDenied), or gave no answer. */
export class StsCallError extends Error {
  override readonly name = 'StsCallError';

  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export type SignedStsClientOptions = SignedClientOptions;

/** The session name CloudTrail shows for the refresh's ECS calls. */
export const REFRESH_SESSION_NAME = 'hopae-service-refresh';
// Role chaining (a Lambda role assuming another) allows at most 1 hour; a refresh takes seconds.
const SESSION_SECONDS = 900;

export class SignedStsClient {
  private readonly transport: SignedTransport;

  constructor(private readonly options: SignedStsClientOptions) {
    this.transport = signedTransport(options);
  }

  /** Temporary credentials of `roleArn`, for 15 minutes. */
  async assumeRole(roleArn: string): Promise<Required<Pick<AwsCredentialIdentity, 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiration'>>> {
    const region = this.options.region;
    const text = await sendSigned({
      service: 'sts',
      region,
      url: endpointUrl('sts', region, this.options.endpoint),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: roleArn, RoleSessionName: REFRESH_SESSION_NAME, DurationSeconds: String(SESSION_SECONDS) }).toString(),
      ...this.transport,
      error: ({ code, message, retryable }) => new StsCallError(code, `could not assume ${roleArn} (${message})`, retryable),
    });
    const field = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(text)?.[1];
    const [accessKeyId, secretAccessKey, sessionToken, expiration] = ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'].map(field);
    if (!accessKeyId || !secretAccessKey || !sessionToken || !expiration || Number.isNaN(Date.parse(expiration))) {
      throw new StsCallError('MalformedAnswer', `could not assume ${roleArn} (AssumeRole answered without complete credentials)`, false);
    }
    return { accessKeyId, secretAccessKey: unescapeXml(secretAccessKey), sessionToken: unescapeXml(sessionToken), expiration: new Date(expiration) };
  }
}

/** XML text escapes (a session token may hold `+`, `/` and `=`, which need none, but may be escaped). */
function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]!);
}

/**
 * A credential provider for `roleArn` that assumes it on first use and again when less than 5
 * minutes remain; concurrent callers share one AssumeRole. A failure is not kept: the next call tries again.
 */
export function assumedRoleCredentials(sts: Pick<SignedStsClient, 'assumeRole'>, roleArn: string, now: () => number = Date.now): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = 0;
  return () => {
    if (!current || now() > expiresAt - 5 * 60_000) {
      const pending = sts.assumeRole(roleArn).then(
        (credentials) => {
          expiresAt = credentials.expiration.getTime();
          return credentials;
        },
        (error: unknown) => {
          if (current === pending) current = undefined;
          throw error;
        },
      );
      current = pending;
      // Until it settles, others share it (expiresAt still says "renew" only for the next caller after it).
      expiresAt = Number.POSITIVE_INFINITY;
    }
    return current;
  };
}
