import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HopaeSecretRotation } from '../../lib';
import { ALLOW_ROTATION_LAMBDA_ARN } from '../../lib/permissions';
import {
  ACCOUNT,
  allIdentityStatements,
  APP_SECRET_ARNS,
  asList,
  identityPolicyStatements,
  KEY_ARNS,
  logicalIdOf,
  REGION,
  ROTATION_ACTIONS,
  synthRotation,
  testStack,
  WORKSPACE_KEY_ARN,
  type PolicyStatementJson,
  type PropsOverrides,
} from './fixtures';
import { HopaeEnvironment } from '../../lib/environment';

/** The workspace-key secret imported with its customer managed key. */
function workspaceKeyWithKms(stack: Stack): ISecret {
  return Secret.fromSecretAttributes(stack, 'KeyWithKms', {
    secretCompleteArn: WORKSPACE_KEY_ARN,
    encryptionKey: kms.Key.fromKeyArn(stack, 'WsKey', KEY_ARNS.workspaceKey),
  });
}

/** The first app secret imported with its customer managed key. */
function appSecretWithKms(stack: Stack): ISecret {
  return Secret.fromSecretAttributes(stack, 'AppWithKms', {
    secretCompleteArn: APP_SECRET_ARNS[0],
    encryptionKey: kms.Key.fromKeyArn(stack, 'AppKey', KEY_ARNS.appSecret),
  });
}

const VIA_SECRETS_MANAGER = { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` };

/** The partial ARN plus `-??????` CDK renders for a secret imported by name. */
function byNameArn(name: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-??????`]] };
}

/** Variants the negative checks run on: every way of naming secrets, keys and topics. */
const VARIANTS: [string, (stack: Stack) => PropsOverrides][] = [
  ['secrets imported by complete ARN', () => ({})],
  [
    'secrets imported by name and created for clientIds',
    (stack) => ({
      workspaceKeySecret: Secret.fromSecretNameV2(stack, 'KeyByName', 'hopae/workspace-key'),
      appSecrets: [Secret.fromSecretNameV2(stack, 'AppByName', 'hopae/apps/legacy')],
      clientIds: ['HqTRDIYH'],
      alarmEmail: 'ops@example.com',
    }),
  ],
  [
    'customer managed keys everywhere and an own alarm topic',
    (stack) => ({
      workspaceKeySecret: workspaceKeyWithKms(stack),
      appSecrets: [
        appSecretWithKms(stack),
      ],
      clientIds: ['HqTRDIYH'],
      encryptionKey: new kms.Key(stack, 'CreatedSecretsKey', { enableKeyRotation: true }),
      alarmTopic: sns.Topic.fromTopicArn(stack, 'OwnTopic', `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`),
    }),
  ],
];

/** Every secret of the test account and region, as CDK renders the pattern (the partition is a reference). */
const ALL_SECRETS = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:*`]] };

/**
 * Statements that grant a Secrets Manager action too widely: a wildcard action, NotResource, `*`
 * for anything but ListSecrets (which takes no resource), or every secret without the condition
 * that the secret's rotation function is this construct's.
 */
function wideSecretsManagerStatements(template: Template): PolicyStatementJson[] {
  return allIdentityStatements(template).filter((statement) => {
    const actions = asList(statement.Action);
    const touchesSecretsManager = actions.some((a) => a === '*' || a.startsWith('secretsmanager:'));
    if (!touchesSecretsManager) return false;
    if (actions.some((a) => a === '*' || a === 'secretsmanager:*') || statement.NotResource !== undefined) return true;
    const resources = asList(statement.Resource);
    if (resources.includes('*')) return actions.some((a) => a !== 'secretsmanager:ListSecrets');
    const everySecret = resources.some((r) => JSON.stringify(r).includes(':secret:*"'));
    return everySecret && statement.Condition?.StringEquals?.[ALLOW_ROTATION_LAMBDA_ARN] === undefined;
  });
}

describe('HopaeSecretRotation least privilege', () => {
  test('gives the function its log group, reading the workspace key, and the rotation actions on the secrets whose rotation function it is', () => {
    // GIVEN / WHEN two app secrets imported by complete ARN, no customer managed key
    const { template, roleLogicalId, logGroupLogicalId, functionLogicalId } = synthRotation();

    // THEN: a fixed size, whatever the fleet (the condition key is what AWS's own rotation applications use)
    expect(identityPolicyStatements(template, roleLogicalId)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroupLogicalId, 'Arn'] },
      },
      { Sid: 'ReadWorkspaceKey', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: WORKSPACE_KEY_ARN },
      {
        Sid: 'RotateSecretsOfThisFunction',
        Effect: 'Allow',
        Action: ROTATION_ACTIONS,
        Resource: ALL_SECRETS,
        Condition: { StringEquals: { [ALLOW_ROTATION_LAMBDA_ARN]: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] } } },
      },
    ]);
  });

  test('keeps the function-ARN statement out of the policy the function depends on (no dependency cycle)', () => {
    // GIVEN / WHEN
    const { template, rotation, functionLogicalId } = synthRotation();

    // THEN the function waits for its default policy (logs, workspace key), not for the one naming its own ARN
    const fn = template.toJSON().Resources[functionLogicalId];
    expect(fn.DependsOn).not.toContain(logicalIdOf(rotation.rotationPolicy));
  });

  test('has a role only Lambda can assume, with no managed policy and two inline policies', () => {
    // GIVEN / WHEN
    const { template, roleLogicalId } = synthRotation();

    // THEN the role carries nothing besides its default policy and the rotation policy (no AWSLambdaBasicExecutionRole);
    // the other role is the audit's (fleet.test.ts)
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties.Policies).toBeUndefined();
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`));
    expect(policies).toHaveLength(2);
    for (const policy of policies) expect(policy.Properties.Roles).toEqual([{ Ref: roleLogicalId }]);
  });

  test('is the same size for 1 and for 300 apps, named any way', () => {
    // GIVEN / WHEN one app, and 300 of them by name, by ARN and created
    const one = synthRotation();
    const many = synthRotation((stack) => ({
      appSecrets: [
        ...Array.from({ length: 100 }, (_, i) => Secret.fromSecretNameV2(stack, `N${i}`, `legacy/app-${i}`)),
        ...Array.from({ length: 100 }, (_, i) => Secret.fromSecretCompleteArn(stack, `A${i}`, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:other/app-${i}-AbCdEf`)),
      ],
      clientIds: Array.from({ length: 100 }, (_, i) => `App${String(i).padStart(5, '0')}`),
    }));

    // THEN the function's statements are the same
    expect(identityPolicyStatements(many.template, many.roleLogicalId)).toEqual(identityPolicyStatements(one.template, one.roleLogicalId));
  });

  describe.each(VARIANTS)('with %s', (_name, overrides) => {
    let template: Template;
    let roleLogicalId: string;
    let workspaceKeyResource: unknown;
    beforeAll(() => {
      ({ template, roleLogicalId } = synthRotation((stack) => {
        const props = overrides(stack);
        workspaceKeyResource = props.workspaceKeySecret?.secretFullArn ? stack.resolve(props.workspaceKeySecret.secretFullArn) : props.workspaceKeySecret ? byNameArn(props.workspaceKeySecret.secretName) : WORKSPACE_KEY_ARN;
        return props;
      }));
    });

    test('never grants secretsmanager:GetRandomPassword', () => {
      // THEN (CDK's own RotationSchedule would grant it on *)
      expect(JSON.stringify(template.toJSON())).not.toContain('GetRandomPassword');
    });

    test('has no Secrets Manager statement wider than the fleet of its function in any IAM policy or role', () => {
      // THEN walking every identity policy of the template finds Secrets Manager grants, none of them wide
      const statements = allIdentityStatements(template);
      expect(statements.some((s) => asList(s.Action).some((a) => a.startsWith('secretsmanager:')))).toBe(true);
      expect(wideSecretsManagerStatements(template)).toEqual([]);
    });

    test('has no statement on Resource * and no wildcard action in the function policy', () => {
      // THEN
      for (const statement of identityPolicyStatements(template, roleLogicalId)) {
        expect(asList(statement.Resource)).not.toContain('*');
        for (const action of asList(statement.Action)) expect(action).not.toMatch(/\*/);
      }
    });

    test('attaches no managed policy to any role', () => {
      // THEN
      template.allResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.absent() } });
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });

    test('lets the function only read the workspace key', () => {
      // THEN exactly one Secrets Manager statement names the workspace key, and it only reads
      const onWorkspaceKey = identityPolicyStatements(template, roleLogicalId).filter(
        (s) => asList(s.Action).some((a) => a.startsWith('secretsmanager:')) && asList(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(workspaceKeyResource)),
      );
      expect(onWorkspaceKey).toHaveLength(1);
      expect(asList(onWorkspaceKey[0]!.Action)).toEqual(['secretsmanager:GetSecretValue']);
      for (const forbidden of ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:DescribeSecret']) {
        expect(asList(onWorkspaceKey[0]!.Action)).not.toContain(forbidden);
      }
    });
  });

  test('the wide-statement check catches a Secrets Manager grant on *', () => {
    // GIVEN a rotation whose role also got a grant on every secret (what CDK's RotationSchedule adds)
    const stack = testStack();
    const rotation = new HopaeSecretRotation(stack, 'Rotation', {
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: Secret.fromSecretCompleteArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
      appSecrets: [Secret.fromSecretCompleteArn(stack, 'App', APP_SECRET_ARNS[0])],
    });
    rotation.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }));

    // WHEN
    const template = Template.fromStack(stack);

    // THEN the checks used above report it
    expect(wideSecretsManagerStatements(template)).toEqual([expect.objectContaining({ Action: 'secretsmanager:GetRandomPassword', Resource: '*' })]);

    // and a grant on every secret without the rotation-function condition
    const other = testStack();
    const second = new HopaeSecretRotation(other, 'Rotation', {
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: Secret.fromSecretCompleteArn(other, 'WorkspaceKey', WORKSPACE_KEY_ARN),
      appSecrets: [Secret.fromSecretCompleteArn(other, 'App', APP_SECRET_ARNS[0])],
    });
    second.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:*`] }));
    expect(wideSecretsManagerStatements(Template.fromStack(other))).toEqual([
      expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:*` }),
    ]);
    expect(JSON.stringify(template.toJSON())).toContain('GetRandomPassword');
  });
});

describe('HopaeSecretRotation with customer managed KMS keys', () => {
  test('needs no KMS permission when every secret uses the AWS managed key', () => {
    // GIVEN / WHEN
    const { template, roleLogicalId } = synthRotation({ clientIds: ['HqTRDIYH'] });

    // THEN
    const kmsStatements = identityPolicyStatements(template, roleLogicalId).filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([]);
  });

  test('lets the function use the key of the created secrets through Secrets Manager, for those secrets only', () => {
    // GIVEN / WHEN created secrets encrypted with a key of the stack
    const { template, roleLogicalId, stack } = synthRotation((s) => ({
      appSecrets: [],
      clientIds: ['HqTRDIYH', 'Zx9Yw8Vu'],
      encryptionKey: new kms.Key(s, 'AppKey', { enableKeyRotation: true }),
    }));

    // THEN Decrypt and GenerateDataKey (writing a new version) on that key ARN, via Secrets Manager, for these secrets
    const kmsStatements = identityPolicyStatements(template, roleLogicalId).filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(stack.node.findChild('AppKey')), 'Arn'] },
        Condition: {
          StringEquals: VIA_SECRETS_MANAGER,
          // by name: the created secrets live in the app stacks, and their names are known
          StringLike: { 'kms:EncryptionContext:SecretARN': [byNameArn('hopae/apps/HqTRDIYH'), byNameArn('hopae/apps/Zx9Yw8Vu')] },
        },
      },
    ]);
  });

  test('lets the function use the key of an imported app secret and only decrypt with the workspace key\'s key', () => {
    // GIVEN an app secret and the workspace key imported with their customer managed keys
    const { template, roleLogicalId } = synthRotation((stack) => ({
      workspaceKeySecret: workspaceKeyWithKms(stack),
      appSecrets: [
        appSecretWithKms(stack),
        Secret.fromSecretCompleteArn(stack, 'AppWithoutKms', APP_SECRET_ARNS[1]),
      ],
    }));

    // THEN one statement per key; the app secret without a customer key is in neither
    const kmsStatements = identityPolicyStatements(template, roleLogicalId).filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: KEY_ARNS.appSecret,
        Condition: { StringEquals: VIA_SECRETS_MANAGER, StringLike: { 'kms:EncryptionContext:SecretARN': [APP_SECRET_ARNS[0]] } },
      },
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: KEY_ARNS.workspaceKey,
        Condition: { StringEquals: VIA_SECRETS_MANAGER, StringLike: { 'kms:EncryptionContext:SecretARN': [WORKSPACE_KEY_ARN] } },
      },
    ]);
  });

  test('groups the secrets of one key into one statement, and names a secret imported by name with its wildcard', () => {
    // GIVEN a key shared by an imported-by-name secret and the created secrets
    const { template, roleLogicalId } = synthRotation((stack) => {
      const key = kms.Key.fromKeyArn(stack, 'SharedKey', KEY_ARNS.appSecret);
      return {
        appSecrets: [Secret.fromSecretAttributes(stack, 'ByName', { secretPartialArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/legacy`, encryptionKey: key })],
        clientIds: ['HqTRDIYH'],
        encryptionKey: key,
      };
    });

    // THEN
    const kmsStatements = identityPolicyStatements(template, roleLogicalId).filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: KEY_ARNS.appSecret,
        Condition: {
          StringEquals: VIA_SECRETS_MANAGER,
          StringLike: { 'kms:EncryptionContext:SecretARN': [byNameArn('hopae/apps/HqTRDIYH'), byNameArn('hopae/apps/legacy')] },
        },
      }),
    ]);
  });

  test('gives the workspace-key secret Decrypt only, even when it shares a key with app secrets', () => {
    // GIVEN one key for the workspace-key secret and an app secret
    const { template, roleLogicalId } = synthRotation((stack) => {
      const key = kms.Key.fromKeyArn(stack, 'OneKey', KEY_ARNS.appSecret);
      return {
        workspaceKeySecret: Secret.fromSecretAttributes(stack, 'WsShared', { secretCompleteArn: WORKSPACE_KEY_ARN, encryptionKey: key }),
        appSecrets: [Secret.fromSecretAttributes(stack, 'AppShared', { secretCompleteArn: APP_SECRET_ARNS[0], encryptionKey: key })],
      };
    });

    // THEN two statements on the same key: write for the app secret, read for the workspace key
    const kmsStatements = identityPolicyStatements(template, roleLogicalId).filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: KEY_ARNS.appSecret,
        Condition: { StringEquals: VIA_SECRETS_MANAGER, StringLike: { 'kms:EncryptionContext:SecretARN': [APP_SECRET_ARNS[0]] } },
      }),
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: KEY_ARNS.appSecret,
        Condition: { StringEquals: VIA_SECRETS_MANAGER, StringLike: { 'kms:EncryptionContext:SecretARN': [WORKSPACE_KEY_ARN] } },
      }),
    ]);
  });
});
