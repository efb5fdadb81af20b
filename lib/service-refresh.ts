import { createHash } from 'node:crypto';
import { Annotations, AspectPriority, Aspects, CfnResource, Duration, type IAspect, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { HANDLERS, METRICS_NAMESPACE, REFRESH_LOG_MESSAGES, SERVICE_NAME } from '../lambda/names';
import { eventArnMatcher, patternOf } from './secret-patterns';
import { rotationFunctionCode } from './function-asset';
import { type FunctionSettings, sharedFunctionProps } from './function-settings';
import { acknowledgeWildcards } from './permissions';
import { mergeByKey, packServiceArns, REFRESH_ACTIONS, serviceArnsForPolicies, sliceServices } from './refresh-plan';
import { spreadScheduleFor } from './schedule-spread';

/** The services to redeploy after a rotation of one secret. */
export interface ServiceRefreshTarget {
  readonly secret: ISecret;
  readonly services: ecs.IBaseService[];
  /**
   * Where the target's rules go: HopaeSecretRotation passes the app's scope in its app stack.
   * Default: a scope of the ServiceRefresh named after the secret.
   *
   * @internal
   */
  readonly _scope?: Construct;
}

export interface ServiceRefreshProps {
  readonly targets: ServiceRefreshTarget[];
  /** Where the refresh's failure alarm goes. */
  readonly topic: sns.ITopic;
  readonly runbookUrl: string;
  readonly logRetention: logs.RetentionDays;
  /**
   * Network placement, proxy and tracing shared by the construct's functions (HopaeSecretRotation
   * passes its own).
   *
   * @internal
   */
  readonly _functionSettings?: FunctionSettings;
  /**
   * What to do when one stack's services are more than its refresh role can be granted (the end
   * of the synth error). HopaeSecretRotation names appStackCount.
   *
   * @internal
   */
  readonly _capacityRemedy?: string;
}

/** Rule names and role paths start with this, then the ServiceRefresh's own id. */
const NAME_PREFIX = 'hopae-refresh';

/**
 * `refreshOnRotation`: when Secrets Manager reports RotationSucceeded for a secret, a new
 * deployment of each ECS service that injects it, so that new tasks start with the new AWSCURRENT.
 *
 * In this construct's stack, of a fixed size for any fleet: a third handler of the rotation bundle
 * (`index.refreshHandler`) with its own log group and role, one permission for EventBridge to
 * invoke it from the refresh rules (by a rule-name pattern), and an alarm when a refresh fails.
 * Beside each target's secret (HopaeSecretRotation: in the app's app stack): one EventBridge rule
 * per secret (more when its service list does not fit one input), named
 * `hopae-refresh-<id>-<hash of the secret's name>`. In each stack that holds rules: a role the
 * function assumes, allowed only `ecs:UpdateService` on the services of that stack's rules.
 *
 * Tasks running before the new ones are up keep failing: reading the secret at call time with the
 * client helpers is the fix; this is the fallback.
 */
export class ServiceRefresh extends Construct {
  readonly refreshFunction: lambda.Function;
  /** The function's role: its log group, and `sts:AssumeRole` on the roles in `serviceRoles` (by their IAM path). */
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** One rule per secret (more when its service list does not fit one EventBridge input), each in its target's stack. */
  readonly rules: events.Rule[];
  /** The roles the function assumes to redeploy services: one per stack holding rules, each allowed only its services. */
  readonly serviceRoles: iam.Role[];
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ServiceRefreshProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Tells this refresh's rules and roles from any other's in the account: its stack and path.
    const own = createHash('sha256')
      .update(`${Token.isUnresolved(stack.stackName) ? '' : stack.stackName}\n${this.node.path}`)
      .digest('hex')
      .slice(0, 10);
    const rulePrefix = `${NAME_PREFIX}-${own}-`;
    const rolePath = `/${NAME_PREFIX}/${own}/`;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Hopae service refresh: its own log group, and the roles that redeploy the ECS services injecting rotated secrets',
    });
    this.logGroup.grantWrite(this.role);
    // The roles under the path, whichever app stack holds them: one statement of a fixed size.
    const serviceRolesArn = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${rolePath.slice(1)}*` });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'AssumeServiceRoles', actions: ['sts:AssumeRole'], resources: [serviceRolesArn] }));
    acknowledgeWildcards(this.role.node.findChild('DefaultPolicy'), {
      rolesUnderPath: {
        path: rolePath,
        reason: `Only the roles of this service refresh (IAM path ${rolePath}), one per app stack, each allowed nothing but ecs:UpdateService on the ECS services listed in refreshOnRotation: a fixed-size statement for any fleet.`,
      },
    });

    this.refreshFunction = new lambda.Function(this, 'Function', {
      description: 'Starts a new deployment of the ECS services that inject a Hopae app secret, after its rotation succeeded',
      // The rotation's own prebuilt bundle: CDK uploads the asset once for every function.
      code: rotationFunctionCode(),
      handler: HANDLERS.refresh,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(1),
      memorySize: 256,
      logGroup: this.logGroup,
      // The handler retries each call itself; a Lambda retry would redeploy the services that succeeded.
      retryAttempts: 0,
      ...sharedFunctionProps(props._functionSettings, this.role, { POWERTOOLS_SERVICE_NAME: SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE }),
    });

    // One statement for every refresh rule, wherever it is: Lambda compares SourceArn with
    // StringLike (AddPermission, Lambda API Reference), and EventBridge sends its rule's ARN as
    // aws:SourceArn ("Using IAM policy conditions in Amazon EventBridge"). A permission per rule
    // would outgrow the function's 20 KB resource-based policy at about 50 secrets.
    new lambda.CfnPermission(this, 'InvokeByRefreshRules', {
      action: 'lambda:InvokeFunction',
      functionName: this.refreshFunction.functionArn,
      principal: 'events.amazonaws.com',
      sourceAccount: stack.account,
      sourceArn: stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${rulePrefix}*` }),
    });

    // One role per stack that holds rules, granted that stack's services only.
    const targets = mergeBySecret(props.targets);
    const groups = new Map<Stack, { scope: Construct; targets: MergedTarget[] }>();
    for (const target of targets) {
      const targetStack = Stack.of(target.scope ?? this);
      const group = groups.get(targetStack) ?? { scope: targetStack === stack ? this : groupScope(targetStack, id), targets: [] };
      group.targets.push(target);
      groups.set(targetStack, group);
    }
    this.serviceRoles = [];
    const roleOf = new Map<Stack, iam.Role>();
    for (const [groupStack, group] of groups) {
      const chunks = packServiceArns(
        this,
        group.targets.flatMap((target) => target.services.flatMap(serviceArnsForPolicies)),
        `the refresh role of stack ${groupStack.stackName}`,
        props._capacityRemedy ?? 'List fewer services, or split the targets over two ServiceRefresh constructs.',
      );
      const role = new iam.Role(group.scope, 'ServicesRole', {
        path: rolePath,
        assumedBy: new iam.ArnPrincipal(this.role.roleArn),
        description: `Hopae service refresh: a new deployment of the ECS services that inject the rotated secrets of this stack, assumed by ${this.node.path}`,
      });
      chunks.forEach((resources, i) => {
        const statement = new iam.PolicyStatement({ sid: `RedeployServices${i + 1}`, actions: [...REFRESH_ACTIONS], resources });
        // The first chunk inline; the rest in managed policies (IAM caps inline policies at 10,240 characters a role).
        if (i === 0) new iam.Policy(group.scope, 'RedeployServices', { roles: [role], statements: [statement] });
        else new iam.ManagedPolicy(group.scope, `RedeployServices${i + 1}`, { roles: [role], statements: [statement] });
      });
      // Outside this construct's stack, what the construct's enclosing scopes impose on its roles
      // (PermissionsBoundary.of(stack), tags...) reaches this role as it would in that stack.
      if (groupStack !== stack) Aspects.of(role).add(new ApplyAspectsOf(this), { priority: AspectPriority.DEFAULT });
      this.serviceRoles.push(role);
      roleOf.set(groupStack, role);
    }

    this.rules = [];
    for (const target of targets) {
      const targetScope = target.scope ?? new Construct(this, `App-${target.key}`);
      const role = roleOf.get(Stack.of(targetScope))!;
      const keyHash = createHash('sha256').update(target.key).digest('hex').slice(0, 16);
      sliceServices(this, target.services).forEach((slice, j) => {
        const rule = new events.Rule(targetScope, j === 0 ? 'RefreshRule' : `RefreshRulePart${j + 1}`, {
          ruleName: `${rulePrefix}${keyHash}${j === 0 ? '' : `-${j + 1}`}`,
          description: `Redeploys the ECS services that inject ${describe(target.secret)} after its rotation succeeded`,
          eventPattern: {
            source: ['aws.secretsmanager'],
            detailType: ['AWS Service Event via CloudTrail'],
            detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [eventArnMatcher(targetScope, patternOf(target.secret))] } },
          },
        });
        const input = events.RuleTargetInput.fromObject({
          secretId: events.EventField.fromPath('$.detail.additionalEventData.SecretId'),
          roleArn: role.roleArn,
          services: slice.map((service) => ({ cluster: service.cluster.clusterArn, service: service.serviceName })),
        });
        // The function's one permission above covers the rule (CDK's LambdaFunction target would add one per rule).
        rule.addTarget({
          bind: () => ({ arn: this.refreshFunction.functionArn, input, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: Duration.hours(1).toSeconds() } }),
        });
        this.rules.push(rule);
      });
    }

    // Every rule is on the account's default event bus, whose rule quota a fleet can pass: say so at synth.
    const quota = defaultBusRuleQuota(stack.region);
    if (this.rules.length > quota) {
      Annotations.of(this).addWarningV2(
        'hopae-secret-rotation:refreshRulesOverDefaultBusQuota',
        `refreshOnRotation puts ${this.rules.length} EventBridge rules on the default event bus, more than the ${quota} rules per event bus EventBridge allows ` +
          `${Token.isUnresolved(stack.region) ? 'in most Regions' : `in ${stack.region}`} by default ("Amazon EventBridge quotas", EventBridge User Guide; other rules of the account count too). ` +
          'Before deploying, request an increase of the Amazon EventBridge quota "Rules" in the Service Quotas console of this account and Region, or list fewer secrets in refreshOnRotation.',
      );
    }

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription:
        'A Hopae service refresh failed: ECS services still run tasks with the old clientSecret, which Hopae rejects. ' +
        `Search the refresh function's log for "${REFRESH_LOG_MESSAGES.failed}": it names each service and the ` +
        `aws ecs update-service --force-new-deployment command that redeploys it. Runbook: ${props.runbookUrl}`,
      metric: this.refreshFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new cloudwatchActions.SnsAction(props.topic);
    this.errorsAlarm.addAlarmAction(action);
    this.errorsAlarm.addOkAction(action);
  }
}

interface MergedTarget {
  readonly secret: ISecret;
  /** The secret's name (or construct path): what its rule name hashes. */
  readonly key: string;
  readonly services: ecs.IBaseService[];
  readonly scope?: Construct;
}

/** One target per secret: entries naming the same secret merge, each service once. */
function mergeBySecret(targets: readonly ServiceRefreshTarget[]): MergedTarget[] {
  return mergeByKey(targets.map((target) => ({ secret: target.secret, key: spreadScheduleFor(target.secret).key, services: target.services, scope: target._scope })));
}

/**
 * The scope, at the top of another stack, of the role for the rules there; named after the stack
 * too, so that logical ids differ between stacks.
 */
function groupScope(stack: Stack, id: string): Construct {
  const scopeId = `${id}-${stack.node.id}`;
  if (stack.node.tryFindChild(scopeId)) throw new Error(`HopaeSecretRotation: stack ${stack.node.path} already holds a ${scopeId}: give each ServiceRefresh its own id`);
  return new Construct(stack, scopeId);
}

/**
 * Applies to IAM roles the aspects applied to the scopes enclosing `owner` that do not enclose
 * the role, innermost last (as CDK would, were the role beside `owner`): a permissions boundary
 * from PermissionsBoundary.of(stack), or the construct's own permissionsBoundary, reaches a role
 * the construct keeps in another stack.
 */
class ApplyAspectsOf implements IAspect {
  constructor(private readonly owner: IConstruct) {}

  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== 'AWS::IAM::Role') return;
    const shared = new Set<IConstruct>(node.node.scopes);
    for (const scope of this.owner.node.scopes) {
      if (shared.has(scope)) continue;
      const applied = [...Aspects.of(scope).applied].sort((a, b) => a.priority - b.priority);
      for (const { aspect } of applied) aspect.visit(node);
    }
  }
}

/**
 * Rules an account may have on one event bus by default: 300, and 100 in af-south-1 and
 * eu-south-1 ("Amazon EventBridge quotas", EventBridge User Guide). An unknown Region counts at 300.
 */
export function defaultBusRuleQuota(region: string): number {
  return region === 'af-south-1' || region === 'eu-south-1' ? 100 : 300;
}

function describe(secret: ISecret): string {
  return Token.isUnresolved(secret.secretName) ? 'a rotated Hopae app secret' : secret.secretName;
}
