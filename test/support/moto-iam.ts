/**
 * IAM users on moto_server, made with its query API before moto starts checking requests
 * (INITIAL_NO_AUTH_ACTION_COUNT): after that, moto verifies every request's SigV4 signature against
 * these keys (recomputing it with botocore) and evaluates their policies.
 */
export interface MotoUser {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** IAM calls this makes per user: CreateUser, CreateAccessKey, PutUserPolicy. */
export const CALLS_PER_USER = 3;

export async function createMotoUser(endpoint: string, name: string, actions: readonly string[]): Promise<MotoUser> {
  await iam(endpoint, { Action: 'CreateUser', UserName: name });
  const key = await iam(endpoint, { Action: 'CreateAccessKey', UserName: name });
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
  await iam(endpoint, { Action: 'PutUserPolicy', UserName: name, PolicyName: 'test', PolicyDocument: policy });
  const field = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(key)?.[1];
  return { accessKeyId: field('AccessKeyId')!, secretAccessKey: field('SecretAccessKey')! };
}

/** IAM calls createMotoRole makes: CreateRole, PutRolePolicy. */
export const CALLS_PER_ROLE = 2;

/** A role under `path`, trusting `trusted` (an IAM ARN), allowed `actions` on `resources`; resolves to its ARN. */
export async function createMotoRole(endpoint: string, name: string, path: string, trusted: string, actions: readonly string[], resources: readonly string[]): Promise<string> {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: trusted }, Action: 'sts:AssumeRole' }] });
  const created = await iam(endpoint, { Action: 'CreateRole', RoleName: name, Path: path, AssumeRolePolicyDocument: trust });
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resources }] });
  await iam(endpoint, { Action: 'PutRolePolicy', RoleName: name, PolicyName: 'test', PolicyDocument: policy });
  return /<Arn>([^<]+)<\/Arn>/.exec(created)![1]!;
}

async function iam(endpoint: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // moto routes by the credential scope's service name; the signature is not checked yet.
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto IAM ${params.Action}: ${response.status} ${text.slice(0, 200)}`);
  return text;
}
