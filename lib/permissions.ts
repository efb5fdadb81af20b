import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** The four actions a rotation needs on the secret it rotates, and nothing else. */
export const ROTATION_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
] as const;

/**
 * The ARN IAM must match: the complete ARN when known; for a secret known by name, its ARN plus
 * the 6-character suffix Secrets Manager appends (the `-??????` wildcard matches only that).
 */
export function arnForPolicies(secret: ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * The function's whole policy, written out rather than taken from grant helpers: CDK's
 * RotationSchedule also grants secretsmanager:GetRandomPassword on `*`, and grantRead adds
 * DescribeSecret to a secret that only needs reading.
 */
export function rotationPolicyStatements(
  scope: Construct,
  appSecrets: readonly ISecret[],
  workspaceKeySecret: ISecret,
): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'RotateAppSecrets',
      actions: [...ROTATION_ACTIONS],
      resources: appSecrets.map(arnForPolicies),
    }),
    new iam.PolicyStatement({
      sid: 'ReadWorkspaceKey',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [arnForPolicies(workspaceKeySecret)],
    }),
  ];

  // Customer managed keys: usable only through Secrets Manager, only for these secrets.
  const region = Stack.of(scope).region;
  // One statement per key and access: the workspace key's secret gets Decrypt only, even on a shared key.
  const grants = new Map<string, { key: IKey; write: boolean; secretArns: string[] }>();
  const note = (key: IKey | undefined, secret: ISecret, write: boolean) => {
    if (!key) return;
    const id = `${key.node.addr}:${write}`;
    const entry = grants.get(id) ?? { key, write, secretArns: [] };
    entry.secretArns.push(arnForPolicies(secret));
    grants.set(id, entry);
  };
  for (const secret of appSecrets) note(secret.encryptionKey, secret, true);
  note(workspaceKeySecret.encryptionKey, workspaceKeySecret, false);
  let n = 0;
  for (const { key, write, secretArns } of grants.values()) {
    statements.push(
      new iam.PolicyStatement({
        sid: `UseSecretsKey${++n}`,
        actions: write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:SecretARN': secretArns },
        },
      }),
    );
  }
  return statements;
}

/**
 * The SourceArn of the permission that lets Secrets Manager invoke the function. A Lambda
 * permission takes one SourceArn, which Lambda writes into the function's resource policy as an
 * ArnLike condition, so one pattern covers every rotated secret in one statement: the policy stays
 * far below its 20 KB limit with hundreds of secrets, where one statement per secret would not.
 * The pattern is the secrets' longest common name prefix when every name is known at synth time
 * (e.g. "hopae/apps/*"), else every secret of this account and region.
 */
export function invokeSourceArn(scope: Construct, secretNames: readonly (string | undefined)[]): string {
  const names = secretNames.every((name): name is string => name !== undefined && !Token.isUnresolved(name)) ? secretNames : [];
  const prefix = names.length === 0 ? '' : names.reduce((common, name) => commonPrefix(common, name));
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** The name a secret has at synth time, or undefined when only deployment knows it. */
export function knownSecretName(secret: ISecret): string | undefined {
  return Token.isUnresolved(secret.secretName) ? undefined : secret.secretName;
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return a.slice(0, i);
}
