import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, Dependable } from 'constructs';
import { acknowledgeWildcards } from './permissions';
import type { NetworkPlan } from './validate-props';

/** The Lambda function props every function of the construct shares. */
export type SharedFunctionProps = Required<Pick<lambda.FunctionProps, 'role' | 'environment'>> &
  Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups' | 'tracing'>;

/**
 * Lambda's actions on the function's network interfaces in a VPC, as in the AWS managed policy
 * AWSLambdaVPCAccessExecutionRole; ec2:DescribeNetworkInterfaces works only on `*` (Lambda
 * developer guide, "Giving Lambda functions access to resources in an Amazon VPC").
 */
export const VPC_NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** Why a function's role holds `*` for its placement: cdk-nag's AwsSolutions-IAM5[Resource::*], acknowledged on the roles the construct creates. */
export const PLACEMENT_WILDCARD_REASONS = {
  vpc:
    "Lambda's network-interface actions for a function in a VPC (as in the AWS managed policy AWSLambdaVPCAccessExecutionRole): ec2:DescribeNetworkInterfaces works only on * (Lambda Developer Guide, giving Lambda functions access to a VPC).",
  tracing:
    "X-Ray's PutTraceSegments and PutTelemetryRecords for active tracing, which lambda.Function adds: X-Ray has no resource-level permissions for them (Service Authorization Reference for AWS X-Ray).",
} as const;

// Always reached directly: Lambda's runtime API and extensions listen on loopback.
const LOOPBACK = ['localhost', '127.0.0.1'];

/**
 * What every function the construct creates shares: its VPC placement (subnets, security groups),
 * the Secrets Manager endpoint and the egress proxy as environment variables, and tracing. Made
 * once per construct; each function, whichever construct adds it, takes `functionProps(role, env)`.
 */
export class FunctionSettings extends Construct {
  /** The functions' security groups in a VPC: the given ones, or the one created here. */
  readonly securityGroups?: ec2.ISecurityGroup[];
  private readonly plan: NetworkPlan;
  private readonly tracing: lambda.Tracing | undefined;
  private readonly sharedEnvironment: Record<string, string> = {};
  private readonly placedRoles = new Set<iam.IRole>();

  constructor(scope: Construct, id: string, plan: NetworkPlan, tracing: lambda.Tracing | undefined) {
    super(scope, id);
    this.plan = plan;
    this.tracing = tracing;
    let endpointHostname: string | undefined;
    if (plan.vpc) {
      this.securityGroups = plan.securityGroups ?? [this.createSecurityGroup(plan)];
      const bound = plan.endpoint?._bind(this, plan.vpc, plan.vpcSubnets ?? {}, this.securityGroups);
      if (bound?.endpointUrl !== undefined) this.sharedEnvironment.AWS_ENDPOINT_URL_SECRETS_MANAGER = bound.endpointUrl;
      endpointHostname = bound?.hostname;
    }
    if (plan.proxy) {
      // Node 24 reads these at start: fetch and the SDK's agent (lambda/secrets-manager-client.ts) follow them.
      this.sharedEnvironment.NODE_USE_ENV_PROXY = '1';
      this.sharedEnvironment.HTTPS_PROXY = plan.proxy.url;
      this.sharedEnvironment.NO_PROXY = [...LOOPBACK, ...(endpointHostname ? [endpointHostname] : []), ...plan.proxy.noProxy].join(',');
    }
  }

  /**
   * The props a function of the construct takes, spread into `lambda.Function`: `environment` on
   * top of the shared variables. Gives `role` what the placement needs (network interfaces in a
   * VPC) and returns the statements an immutable role could not take in `refused`.
   */
  functionProps(role: iam.IRole, environment: Record<string, string>, refused: iam.PolicyStatement[] = []): SharedFunctionProps {
    refused.push(...this.grantPlacement(role));
    this.acknowledgePlacementWildcards(role);
    return {
      role,
      environment: { ...this.sharedEnvironment, ...environment },
      ...(this.plan.vpc ? { vpc: this.plan.vpc, vpcSubnets: this.plan.vpcSubnets, securityGroups: this.securityGroups } : {}),
      ...(this.tracing ? { tracing: this.tracing } : {}),
    };
  }

  /** The statements `role` needs for the placement that it did not take (an immutable role). */
  private grantPlacement(role: iam.IRole): iam.PolicyStatement[] {
    if (!this.plan.vpc || this.placedRoles.has(role)) return [];
    this.placedRoles.add(role);
    const statement = new iam.PolicyStatement({ sid: 'ManageVpcNetworkInterfaces', actions: [...VPC_NETWORK_INTERFACE_ACTIONS], resources: ['*'] });
    return addToRole(role, statement) ? [] : [statement];
  }

  /**
   * Acknowledges the `*` of the placement (network interfaces, X-Ray) on the default policy of a role
   * this construct created, with why; a role brought by the user is left to the user.
   */
  private acknowledgePlacementWildcards(role: iam.IRole): void {
    const reasons = [
      ...(this.plan.vpc ? [PLACEMENT_WILDCARD_REASONS.vpc] : []),
      ...(this.tracing === lambda.Tracing.ACTIVE || this.tracing === lambda.Tracing.PASS_THROUGH ? [PLACEMENT_WILDCARD_REASONS.tracing] : []),
    ];
    const owner = this.node.scope!;
    if (reasons.length === 0 || !iam.Role.isRole(role) || !role.node.path.startsWith(`${owner.node.path}/`)) return;
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) acknowledgeWildcards(policy, { anyResource: reasons.join(' ') });
  }

  /** HTTPS out (Hopae, Secrets Manager or its endpoint), and the proxy's port; nothing else, nothing in. */
  private createSecurityGroup(plan: NetworkPlan): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: plan.vpc!,
      description: 'Hopae secret rotation functions: HTTPS out to Hopae and Secrets Manager, and to the egress proxy',
      allowAllOutbound: false,
    });
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to Hopae and Secrets Manager');
    const proxy = plan.proxy;
    if (proxy?.port !== undefined && !(proxy.port === 443 && proxy.ipv4 === undefined)) {
      group.addEgressRule(proxy.ipv4 ? ec2.Peer.ipv4(`${proxy.ipv4}/32`) : ec2.Peer.anyIpv4(), ec2.Port.tcp(proxy.port), 'The egress proxy');
    }
    return group;
  }
}

/**
 * The shared props from `settings`; without settings (a building block constructed on its own),
 * only the role and the environment.
 */
export function sharedFunctionProps(settings: FunctionSettings | undefined, role: iam.IRole, environment: Record<string, string>): SharedFunctionProps {
  return settings ? settings.functionProps(role, environment) : { role, environment };
}

/**
 * Adds a statement to a role's policy; false when the role keeps none. CDK's immutable role (from
 * `Role.fromRoleArn(..., { mutable: false })`) reports every statement as added and keeps none:
 * the policy it returns to depend on is empty. A Role of the app always takes it (under
 * `Role.customizeRoles` also with an empty dependable: the statements go into CDK's report).
 */
export function addToRole(role: iam.IRole, statement: iam.PolicyStatement): boolean {
  const result = role.addToPrincipalPolicy(statement);
  if (!result.statementAdded) return false;
  if (iam.Role.isRole(role) || result.policyDependable === undefined) return true;
  return Dependable.of(result.policyDependable).dependencyRoots.length > 0;
}
