import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IConstruct } from 'constructs';
import { coverPatterns, iamArnPattern, patternOf, secretArn, type SecretPattern } from './secret-patterns';

/** The four actions a rotation needs on the secret it rotates, and nothing else. */
export const ROTATION_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
] as const;

/**
 * The Secrets Manager condition key naming a secret's rotation function. The Service
 * Authorization Reference (Secrets Manager: actions, resources and condition keys) lists it for
 * DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage and
 * ListSecretVersionIds among others; test/cdk/iam-evaluation.test.ts checks that against the
 * reference's machine-readable copy. AWS's own rotation applications grant this way.
 */
export const ALLOW_ROTATION_LAMBDA_ARN = 'secretsmanager:resource/AllowRotationLambdaArn';

// One KMS statement names at most this many secret patterns: past that, their common prefixes.
const MAX_KMS_SECRET_PATTERNS = 8;

/**
 * The ARN IAM must match: the complete ARN when known; for a secret known by name, its ARN plus
 * the 6-character suffix Secrets Manager appends (the `-??????` wildcard matches only that).
 */
export function arnForPolicies(secret: ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * The rotation's secret actions on every secret of this account and region whose rotation
 * function is `functionArn`, whatever its name: one statement of a fixed size for any fleet,
 * including secrets attached outside CDK. Kept out of the role's default policy, which the
 * function depends on: the function's ARN in it would be a dependency cycle.
 */
export function rotateAttachedSecretsStatement(scope: Construct, functionArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'RotateSecretsOfThisFunction',
    actions: [...ROTATION_ACTIONS],
    resources: [secretArn(scope, '*')],
    conditions: { StringEquals: { [ALLOW_ROTATION_LAMBDA_ARN]: functionArn } },
  });
}

/**
 * The function's other statements, written out rather than taken from grant helpers (CDK's
 * RotationSchedule also grants secretsmanager:GetRandomPassword on `*`): reading the workspace
 * key, and each customer managed key's use through Secrets Manager for the secrets it encrypts.
 */
export function rotationPolicyStatements(scope: Construct, appSecrets: readonly AppSecretKey[], workspaceKeySecret: ISecret): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadWorkspaceKey',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [arnForPolicies(workspaceKeySecret)],
    }),
  ];

  // Customer managed keys: usable only through Secrets Manager, only for these secrets.
  const region = Stack.of(scope).region;
  // One statement per key and access: the workspace key's secret gets Decrypt only, even on a shared key.
  const grants = new Map<string, { key: IKey; write: boolean; patterns: SecretPattern[] }>();
  const note = (key: IKey | undefined, pattern: SecretPattern, write: boolean) => {
    if (!key) return;
    const id = `${key.node.addr}:${write}`;
    const entry = grants.get(id) ?? { key, write, patterns: [] };
    entry.patterns.push(pattern);
    grants.set(id, entry);
  };
  for (const { key, pattern } of appSecrets) note(key, pattern, true);
  note(workspaceKeySecret.encryptionKey, patternOf(workspaceKeySecret), false);
  let n = 0;
  for (const { key, write, patterns } of grants.values()) {
    const covered = coverPatterns(patterns, (p) => p.length <= MAX_KMS_SECRET_PATTERNS);
    statements.push(
      new iam.PolicyStatement({
        sid: `UseSecretsKey${++n}`,
        actions: write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:SecretARN': covered.map((p) => iamArnPattern(scope, p)) },
        },
      }),
    );
  }
  return statements;
}

/** An app secret as the permissions see it: how to name it, and its customer managed key, if any. */
export interface AppSecretKey {
  readonly pattern: SecretPattern;
  readonly key?: IKey;
}

/**
 * The audit's statements: ListSecrets (which takes no resource: Service Authorization Reference)
 * to find the secrets rotated by the function, and ListSecretVersionIds on those only, for the
 * creation date of a pending version. Metadata only: never a value.
 */
export function auditPolicyStatements(scope: Construct, rotationFunctionArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'FindTheFleet', actions: ['secretsmanager:ListSecrets'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'ReadVersionsOfSecretsOfTheRotationFunction',
      actions: ['secretsmanager:ListSecretVersionIds'],
      resources: [secretArn(scope, '*')],
      conditions: { StringEquals: { [ALLOW_ROTATION_LAMBDA_ARN]: rotationFunctionArn } },
    }),
  ];
}

/**
 * The SourceArn of the permission that lets Secrets Manager invoke the function. A Lambda
 * permission takes one SourceArn, which Lambda writes into the function's resource policy as an
 * ArnLike condition, so one pattern covers every rotated secret in one statement: the policy stays
 * far below its 20 KB limit for any fleet. The pattern is the secrets' longest common name prefix
 * when every name is known at synth time (e.g. "hopae/apps/*"), else every secret of this account
 * and region.
 */
export function invokeSourceArn(scope: Construct, secretNames: readonly (string | undefined)[]): string {
  const names = secretNames.every((name): name is string => name !== undefined && !Token.isUnresolved(name)) ? secretNames : [];
  const prefix = names.length === 0 ? '' : names.reduce((common, name) => common.slice(0, commonPrefixLength(common, name)));
  return secretArn(scope, `${prefix}*`);
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return i;
}

/**
 * Records why a policy's wildcard is deliberate, for cdk-nag's AwsSolutions-IAM5 (rule ids as
 * cdk-nag renders the resource: deploy-time parts as <AWS::Partition>, <AWS::Region>, <AWS::AccountId>).
 */
export function acknowledgeWildcards(
  policy: IConstruct,
  reasons: { readonly everySecret?: string; readonly anyResource?: string; readonly rolesUnderPath?: { readonly path: string; readonly reason: string } },
): void {
  const stack = Stack.of(policy);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const acknowledgments = [];
  if (reasons.everySecret) {
    acknowledgments.push({ id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:*]`, reason: reasons.everySecret });
  }
  if (reasons.anyResource) acknowledgments.push({ id: 'AwsSolutions-IAM5[Resource::*]', reason: reasons.anyResource });
  if (reasons.rolesUnderPath) {
    acknowledgments.push({ id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::${account}:role${reasons.rolesUnderPath.path}*]`, reason: reasons.rolesUnderPath.reason });
  }
  acknowledge(policy, acknowledgments);
}

function acknowledge(policy: IConstruct, acknowledgments: { id: string; reason: string }[]): void {
  // Validations.acknowledge (what cdk-nag 3 reads) is missing from the oldest aws-cdk-lib the package supports.
  const validations = typeof Validations === 'function' ? Validations.of(policy) : undefined;
  if (typeof validations?.acknowledge === 'function') validations.acknowledge(...acknowledgments);
}

/** Why the two wildcards are deliberate, for the acknowledgments above. */
export const WILDCARD_REASONS = {
  rotation:
    'Only secrets whose rotation function is this function (condition secretsmanager:resource/AllowRotationLambdaArn), as AWS\'s own rotation applications grant: one statement for any fleet, where a list of secret ARNs outgrows the IAM policy size quota past about 60 secrets.',
  auditVersions:
    'ListSecretVersionIds only on secrets whose rotation function is the rotation function (condition secretsmanager:resource/AllowRotationLambdaArn): version ids and dates, never a value, for any fleet size.',
  auditList:
    'ListSecrets has no resource-level permissions (Service Authorization Reference for Secrets Manager); it returns metadata, never a value, and is how the audit finds every secret the rotation function rotates.',
} as const;
