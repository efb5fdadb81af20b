import { App, CfnElement, Stack, Stage } from 'aws-cdk-lib';
import { Match, type Matcher, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { HopaeSecretRotation, type HopaeSecretRotationProps } from '../../lib';
import { HopaeEnvironment } from '../../lib/environment';
import { testAppProps } from '../support/test-app';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
export const WORKSPACE_KEY_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/workspace-key-AbCdEf`;
export const APP_SECRET_ARNS = [
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/first-Gh1jKl`,
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/second-Mn2oPq`,
] as const;
export const KEY_ARNS = {
  appSecret: `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-1111-1111-1111-111111111111`,
  workspaceKey: `arn:aws:kms:${REGION}:${ACCOUNT}:key/22222222-2222-2222-2222-222222222222`,
} as const;

/** The four actions the function needs on an app secret. */
export const ROTATION_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

/** An App for template tests (test/support/test-app.ts: no bundling, tree, stack traces or schema check). */
export function appWithoutBundling(): App {
  return new App(testAppProps());
}

export function testStack(app: App = appWithoutBundling()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

export function importByArn(stack: Stack, id: string, arn: string): ISecret {
  return Secret.fromSecretCompleteArn(stack, id, arn);
}

export type PropsOverrides = Partial<HopaeSecretRotationProps>;

/**
 * Constructs a rotation of one app secret in the sandbox with `props` on top, in `stack` (a fresh
 * test stack by default), for tests of what the construct refuses: the error it threw, if any.
 */
export function attemptRotation(props: (stack: Stack) => PropsOverrides, stack: Stack = testStack()): { error: unknown; stack: Stack } {
  try {
    new HopaeSecretRotation(stack, 'Rotation', {
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
      appSecrets: [importByArn(stack, 'App', APP_SECRET_ARNS[0]!)],
      ...props(stack),
    });
  } catch (error) {
    return { error, stack };
  }
  return { error: undefined, stack };
}

/**
 * Builds a rotation in a fresh stack: by default of both app secrets (imported by complete ARN, so
 * IAM resources are plain strings) in the sandbox. `overrides` may be a function of the stack, to
 * create keys, topics or secrets in it. Without arguments, the shared default synth: do not change it.
 */
export function synthRotation(overrides?: PropsOverrides | ((stack: Stack) => PropsOverrides), stack?: Stack): SynthesizedRotation {
  // The default configuration is synthesized once per test file and shared: tests only read it.
  if (overrides === undefined && stack === undefined) return (defaultRotation ??= buildRotation({}, testStack()));
  return buildRotation(overrides ?? {}, stack ?? testStack());
}

export type SynthesizedRotation = ReturnType<typeof buildRotation>;
let defaultRotation: SynthesizedRotation | undefined;

function buildRotation(overrides: PropsOverrides | ((stack: Stack) => PropsOverrides), stack: Stack) {
  const extra = typeof overrides === 'function' ? overrides(stack) : overrides;
  const rotation = new HopaeSecretRotation(stack, 'Rotation', {
    environment: HopaeEnvironment.SANDBOX,
    workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
    appSecrets: APP_SECRET_ARNS.map((arn, i) => importByArn(stack, `App${i}`, arn)),
    ...extra,
  });
  const { main, apps } = synthStacks(stack, rotation.appStacks);
  return {
    stack,
    rotation,
    functionLogicalId: logicalIdOf(rotation.rotationFunction.node.defaultChild as CfnFunction),
    roleLogicalId: logicalIdOf(rotation.role),
    logGroupLogicalId: logicalIdOf(rotation.logGroup),
    /** The construct's own stack. */
    template: main,
    /** Every app stack's resources in one template (their logical ids do not collide). */
    apps,
  };
}

/**
 * Synthesizes the app once and reads the construct's stack and its app stacks from the assembly
 * (Template.fromStack would synthesize the whole app again for each stack).
 */
export function synthStacks(stack: Stack, appStacks: readonly Stack[]): { main: Template; apps: Template } {
  const assembly = Stage.of(stack)!.synth();
  const main = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>);
  const resources: Record<string, unknown> = {};
  for (const appStack of appStacks) {
    const template = assembly.getStackArtifact(appStack.artifactId).template as { Resources?: Record<string, unknown> };
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      if (id in resources) throw new Error(`logical id ${id} appears in two app stacks`);
      resources[id] = resource;
    }
  }
  return { main, apps: Template.fromJSON({ Resources: resources }) };
}

/** How an app stack refers to the rotation function's ARN: an import of the construct's stack's export. */
export function importedFunctionArn(functionLogicalId: string): Matcher {
  return Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp(`ExportsOutputFnGetAtt${functionLogicalId}Arn`) });
}

/** Logical id of an L1 resource, or of an L2 construct's default child. */
export function logicalIdOf(construct: IConstruct): string {
  const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!element || !CfnElement.isCfnElement(element)) throw new Error(`${construct.node.path} has no CloudFormation element`);
  return Stack.of(element).getLogicalId(element);
}

/** The `{Ref: ...}` CloudFormation renders for a construct. */
export function refTo(construct: IConstruct): { Ref: string } {
  return { Ref: logicalIdOf(construct) };
}

export interface PolicyStatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** A policy statement's actions (or resources), always as a list. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The statements of the identity policies attached to a role: its AWS::IAM::Policy resources. */
export function identityPolicyStatements(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => asList(policy.Properties.Roles).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

/**
 * Every identity-policy statement in the template: all AWS::IAM::Policy and AWS::IAM::ManagedPolicy
 * documents plus the inline policies of every AWS::IAM::Role (not their trust policies).
 */
export function allIdentityStatements(template: Template): PolicyStatementJson[] {
  const fromPolicies = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
    Object.values(template.findResources(type)).flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]),
  );
  const fromRoles = Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
    asList(role.Properties.Policies as { PolicyDocument: { Statement: PolicyStatementJson[] } }[] | undefined).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    ),
  );
  return [...fromPolicies, ...fromRoles];
}
