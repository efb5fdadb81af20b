import { App, CfnResource, Stack, TagManager, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HopaeSecretRotation, HopaeSecretRotationPropsError, SecretsManagerEndpoint, type HopaeSecretRotationProps } from '../../lib';
import { ACCOUNT, APP_SECRET_ARNS, asList, attemptRotation, importByArn, REGION, synthRotation, testStack, WORKSPACE_KEY_ARN, type PolicyStatementJson } from './fixtures';
import { HopaeEnvironment } from '../../lib/environment';
import { testAppProps } from '../support/test-app';

/**
 * Everything the construct can create: created secrets, a VPC with an endpoint and a proxy, an alert
 * topic with its key, tracing, the service refresh.
 */
function everything(stack: Stack): Partial<HopaeSecretRotationProps> {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'apps', vpc });
  return {
    clientIds: ['HqTRDIYH'],
    refreshOnRotation: [{ clientId: 'HqTRDIYH', services: [ecs.FargateService.fromFargateServiceAttributes(stack, 'Api', { cluster, serviceName: 'api' })] }],
    vpc,
    secretsManagerEndpoint: SecretsManagerEndpoint.createInterfaceEndpoint(),
    httpsProxy: 'http://10.0.0.10:3128',
    alarmEmail: 'ops@example.com',
    tracing: lambda.Tracing.ACTIVE,
  };
}

function roles(template: Template): Record<string, Record<string, any>> {
  return template.findResources('AWS::IAM::Role');
}

function statementsOfRole(template: Template, roleRef: unknown): PolicyStatementJson[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => asList(p.Properties.Roles).some((r) => JSON.stringify(r) === JSON.stringify(roleRef)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/org-boundary`;

describe('permissions boundary', () => {
  test('PermissionsBoundary.of(stack) reaches every role of the construct', () => {
    // GIVEN a boundary applied to the whole stack, as an organisation's base stack does
    const { template, apps } = synthRotation((stack) => {
      iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Boundary', BOUNDARY_ARN));
      return everything(stack);
    });

    // THEN every role carries it (rotation, audit, service refresh, and the refresh's role in the app stack)
    const all = [...Object.values(roles(template)), ...Object.values(roles(apps))];
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(roles(apps))).toHaveLength(1);
    for (const role of all) expect(role.Properties.PermissionsBoundary).toBe(BOUNDARY_ARN);
  });

  test('the @aws-cdk/core:permissionsBoundary context reaches every role', () => {
    // GIVEN the boundary as CDK's context key (e.g. in cdk.json)
    const app = new App(testAppProps({ context: { '@aws-cdk/core:permissionsBoundary': { name: 'org-boundary' } } }));
    const { template, apps } = synthRotation(everything, testStack(app));

    // THEN
    const all = [...Object.values(roles(template)), ...Object.values(roles(apps))];
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const role of all) {
      expect(role.Properties.PermissionsBoundary).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:policy/org-boundary`]],
      });
    }
  });

  test('the permissionsBoundary prop reaches every role the construct creates, wins over the stack and the context, and leaves other roles alone', () => {
    // GIVEN a stack boundary, a context boundary, the prop, and a role of the app outside the construct
    const app = new App(testAppProps({ context: { '@aws-cdk/core:permissionsBoundary': { name: 'context-boundary' } } }));
    const stack = testStack(app);
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyArn(stack, 'StackBoundary', `arn:aws:iam::${ACCOUNT}:policy/stack-boundary`));
    const other = new iam.Role(stack, 'OtherRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const { template, apps } = synthRotation(
      (s) => ({ ...everything(s), permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyArn(s, 'Boundary', `arn:aws:iam::${ACCOUNT}:policy/rotation-boundary`) }),
      stack,
    );

    // THEN the construct's roles take the prop's boundary, in its app stacks too; the other role keeps the stack's
    const otherId = stack.getLogicalId(other.node.defaultChild as iam.CfnRole);
    const ours = [...Object.entries(roles(template)).filter(([id]) => id !== otherId), ...Object.entries(roles(apps))];
    expect(ours.length).toBeGreaterThanOrEqual(4);
    for (const [, role] of ours) expect(role.Properties.PermissionsBoundary).toBe(`arn:aws:iam::${ACCOUNT}:policy/rotation-boundary`);
    expect(roles(template)[otherId]!.Properties.PermissionsBoundary).toBe(`arn:aws:iam::${ACCOUNT}:policy/stack-boundary`);
  });
});

describe('the role prop', () => {
  test("a role of the app: the rotation function uses it, and the construct adds the rotation's statements to it", () => {
    // GIVEN the organisation's role, created elsewhere in the app
    let role: iam.Role;
    const { template, rotation, stack } = synthRotation((s) => {
      role = new iam.Role(s, 'OrgRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: 'org-hopae-rotation' });
      return { role };
    });

    // THEN the function runs as it, and the construct creates only the audit's role
    const roleId = stack.getLogicalId(role!.node.defaultChild as iam.CfnRole);
    expect(rotation.role).toBe(role!);
    const fn = template.findResources('AWS::Lambda::Function');
    const rotationFn = Object.values(fn).find((f) => f.Properties.Handler === 'index.handler')!;
    expect(rotationFn.Properties.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(Object.keys(roles(template)).filter((id) => id !== roleId)).toHaveLength(1);
    const sids = statementsOfRole(template, { Ref: roleId }).map((s) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['RotateSecretsOfThisFunction', 'ReadWorkspaceKey']));
    const actions = statementsOfRole(template, { Ref: roleId }).flatMap((s) => asList(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:PutSecretValue']));
  });

  test('an imported role: the statements go into a policy attached to it by name', () => {
    // GIVEN a role imported by ARN (mutable, CDK's default)
    const stack = testStack();
    new HopaeSecretRotation(stack, 'Rotation', {
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
      appSecrets: [importByArn(stack, 'App', APP_SECRET_ARNS[0])],
      role: iam.Role.fromRoleArn(stack, 'Imported', `arn:aws:iam::${ACCOUNT}:role/org/hopae-rotation`),
    });
    const template = Template.fromStack(stack);

    // THEN an AWS::IAM::Policy names it, with the rotation's statements
    const attached = statementsOfRole(template, 'hopae-rotation');
    expect(attached.map((s) => s.Sid)).toEqual(expect.arrayContaining(['RotateSecretsOfThisFunction', 'ReadWorkspaceKey']));
  });

  test('an immutable role: the synth fails with a way out that works and the statements the role needs, VPC and X-Ray included', () => {
    // GIVEN a role imported with mutable: false, a VPC and tracing
    const { error } = attemptRotation((stack) => ({
      role: iam.Role.fromRoleArn(stack, 'Locked', `arn:aws:iam::${ACCOUNT}:role/locked`, { mutable: false }),
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }),
      tracing: lambda.Tracing.ACTIVE,
    }));

    // THEN a props error naming role, with a policy document that has every statement the function needs
    expect(error).toBeInstanceOf(HopaeSecretRotationPropsError);
    expect((error as HopaeSecretRotationPropsError).prop).toBe('role');
    const message = (error as Error).message;
    expect(message).toMatch(/^HopaeSecretRotation: role cannot take the permissions the rotation function needs \(it was imported with mutable: false\)/);
    // the way out is one that ends the refusal: attaching the statements by hand would not (the next synth fails the same way)
    expect(message).not.toMatch(/Attach a policy/);
    expect(message).toMatch(/every synth with this role fails, attached or not\. Import the role mutable .*, or leave role out/);
    const document = JSON.parse(message.slice(message.indexOf('{"Statement"'))) as { Statement: PolicyStatementJson[] };
    const actions = document.Statement.flatMap((s) => asList(s.Action));
    expect(actions).toEqual(
      expect.arrayContaining([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:DescribeSecret',
        'ec2:CreateNetworkInterface',
        'xray:PutTraceSegments',
      ]),
    );
    // the secrets this function rotates, named by the function, which does not exist yet
    expect(document.Statement.find((s) => s.Sid === 'RotateSecretsOfThisFunction')!.Condition).toEqual({
      StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': '<the ARN of this rotation function>' },
    });
    expect(APP_SECRET_ARNS.length).toBeGreaterThan(0);
  });
});

describe('tags', () => {
  test('Tags.of(stack) reaches every taggable resource of the construct, in its stack and in its app stacks', () => {
    // GIVEN everything the construct can create, tagged at the stack
    const stack = testStack();
    Tags.of(stack).add('cost-center', 'kyc-platform');
    const { rotation } = synthRotation(everything, stack);

    // THEN every resource that CloudFormation lets carry tags carries it, in the construct's stack
    // and in the app stacks beside it (which Tags.of(stack) alone would not reach)
    expect(rotation.appStacks.length).toBeGreaterThan(0);
    const taggable = [rotation, ...rotation.appStacks].flatMap((scope) =>
      scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && TagManager.isTaggable(c)),
    );
    expect(taggable.length).toBeGreaterThan(10);
    const untagged = taggable.filter((c) => {
      const resources = Template.fromStack(Stack.of(c)).toJSON().Resources as Record<string, { Properties?: { Tags?: unknown } }>;
      return !JSON.stringify(resources[Stack.of(c).getLogicalId(c)]?.Properties?.Tags ?? null).includes('"kyc-platform"');
    });
    expect(untagged.map((c) => c.node.path)).toEqual([]);
    // the app stacks themselves carry it as stack tags, which CloudFormation puts on what it creates
    for (const appStack of rotation.appStacks) expect(appStack.tags.tagValues()).toEqual(expect.objectContaining({ 'cost-center': 'kyc-platform' }));
    // and the types tagged include the ones a cost report groups by
    const types = new Set(taggable.map((c) => c.cfnResourceType));
    for (const type of ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret', 'AWS::SNS::Topic', 'AWS::KMS::Key', 'AWS::EC2::SecurityGroup']) {
      expect(types).toContain(type);
    }
  });
});

describe('tracing', () => {
  test('Tracing.ACTIVE turns on active tracing for every function, with the X-Ray permissions, and the same code', () => {
    // GIVEN tracing on, and the default for comparison
    const traced = synthRotation({ tracing: lambda.Tracing.ACTIVE });
    const plain = synthRotation();

    // THEN every function traces, its role may send segments, and the code asset is the very same
    const tracedFns = Object.values(traced.template.findResources('AWS::Lambda::Function'));
    expect(tracedFns).toHaveLength(2);
    for (const fn of tracedFns) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const xray = statementsOfRole(traced.template, { Ref: roleId }).filter((s) => asList(s.Action).includes('xray:PutTraceSegments'));
      expect(xray).toEqual([expect.objectContaining({ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' })]);
    }
    const plainFns = Object.values(plain.template.findResources('AWS::Lambda::Function'));
    for (const fn of plainFns) expect(fn.Properties.TracingConfig).toBeUndefined();
    expect(tracedFns.map((f) => f.Properties.Code)).toEqual(plainFns.map((f) => f.Properties.Code));
  });
});

test('the test stack is in the fixtures region', () => {
  expect(Stack.of(synthRotation().rotation).region).toBe(REGION);
});
