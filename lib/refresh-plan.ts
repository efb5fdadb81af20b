import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { propsError } from './validate-props';

/**
 * What a service refresh costs in IAM and EventBridge, worked out before anything is created, so
 * that synth refuses what a deploy would (HopaeSecretRotation checks it with its other props).
 * Sizes are upper bounds: a value known only at deploy time counts at its longest plausible length.
 */

/**
 * IAM quotas a role's permission policies must fit ("IAM and AWS STS quotas", IAM User Guide):
 * its inline policies together 10,240 characters, each managed policy 6,144 (whitespace not
 * counted), at most 10 managed policies attached (the default; adjustable to 20). Each budget
 * keeps a margin below the quota.
 */
export const ROLE_POLICY_BUDGET = { inlineChars: 10_000, managedChars: 6_000, managedPolicies: 10 } as const;

// EventBridge caps a target's input at 8,192 characters ("Amazon EventBridge quotas"): long
// service lists are split across rules below that.
const MAX_INPUT_CHARS = 7_500;
// The longest an ECS cluster or service name can be (CreateCluster, CreateService): a value only
// deployment knows counts at this length.
const TOKEN_CHARS = 255;
// The longest values of the pseudo parameters: partition "aws-us-gov", region "ap-southeast-3".
const PSEUDO_CHARS: Record<string, number> = { 'AWS::Partition': 10, 'AWS::Region': 14, 'AWS::AccountId': 12, 'AWS::URLSuffix': 16 };
// A policy document around its resources: Version, one statement with Sid, Effect and Action.
const POLICY_OVERHEAD_CHARS = '{"Version":"2012-10-17","Statement":[{"Sid":"RedeployServices11","Effect":"Allow","Action":"ecs:UpdateService","Resource":[]}]}'.length;

/** The one action the refresh has, on the listed services only. */
export const REFRESH_ACTIONS = ['ecs:UpdateService'] as const;

/**
 * The ARNs IAM may see for the service: the long format (`service/<cluster>/<name>`, every service
 * created since ECS made it mandatory), and the ARN CDK knows when that differs: an imported
 * service's ARN is in the short format unless the app sets `@aws-cdk/aws-ecs:arnFormatIncludesClusterName`,
 * and services created before 2021 keep it ("Migrate an Amazon ECS short service ARN to a long ARN",
 * ECS Developer Guide).
 */
export function serviceArnsForPolicies(service: ecs.IBaseService): string[] {
  const cluster = Arn.split(service.cluster.clusterArn, ArnFormat.SLASH_RESOURCE_NAME);
  const long = Arn.format({
    partition: cluster.partition,
    service: 'ecs',
    region: cluster.region,
    account: cluster.account,
    resource: 'service',
    resourceName: `${service.cluster.clusterName}/${service.serviceName}`,
  });
  return long === service.serviceArn ? [long] : [long, service.serviceArn];
}

/** The longest a string (literal, token or both) can be once deployed, in characters. */
export function renderedChars(scope: Construct, value: string): number {
  return rendered(Stack.of(scope), value).chars;
}

/**
 * A string as CloudFormation will hold it (tokens resolved, as JSON: a literal and a token that
 * resolves to the same text compare equal), and its longest deployed length; resolved once.
 */
function rendered(stack: Stack, value: string): { readonly text: string; readonly chars: number } {
  if (!Token.isUnresolved(value)) return { text: JSON.stringify(value), chars: value.length };
  const resolved: unknown = stack.resolve(value);
  return { text: JSON.stringify(resolved), chars: measure(resolved) };
}

function measure(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const [key, arg] = Object.entries(value)[0] ?? [];
    if (key === 'Ref' && typeof arg === 'string' && PSEUDO_CHARS[arg] !== undefined) return PSEUDO_CHARS[arg]!;
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.reduce<number>((sum, part) => sum + measure(part), 0) + separator.length * Math.max(0, parts.length - 1);
    }
  }
  return TOKEN_CHARS;
}

/** Splits a service list into slices whose rule input stays under EventBridge's limit. */
export function sliceServices(scope: Construct, services: readonly ecs.IBaseService[]): ecs.IBaseService[][] {
  const slices: ecs.IBaseService[][] = [[]];
  let size = 0;
  for (const service of services) {
    // {"cluster":"...","service":"..."}, with the secretId and the role ARN counted in the margin.
    const length = renderedChars(scope, service.cluster.clusterArn) + renderedChars(scope, service.serviceName) + 30;
    if (size + length > MAX_INPUT_CHARS && slices[slices.length - 1]!.length > 0) {
      slices.push([]);
      size = 0;
    }
    slices[slices.length - 1]!.push(service);
    size += length;
  }
  return slices;
}

/**
 * Packs the ARNs a refresh role is granted into its policies: the first into the role's inline
 * policy, the rest into managed policies, each within its IAM budget. Sorted by their rendered
 * text, so the split does not depend on the order apps were listed in. Refuses, naming
 * refreshOnRotation, more than one role can hold; `where` names the role's place and `remedy` what to do.
 */
export function packServiceArns(scope: Construct, arns: readonly string[], where: string, remedy: string): string[][] {
  const stack = Stack.of(scope);
  const byText = new Map<string, { arn: string; chars: number }>();
  for (const arn of arns) {
    const { text, chars } = rendered(stack, arn);
    byText.set(text, { arn, chars });
  }
  const keyed = [...byText.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  const chunks: string[][] = [];
  let size = Number.POSITIVE_INFINITY;
  const budget = () => (chunks.length === 1 ? ROLE_POLICY_BUDGET.inlineChars : ROLE_POLICY_BUDGET.managedChars);
  for (const { arn, chars } of keyed) {
    // The quoted ARN and its comma.
    const length = chars + 3;
    if (chunks.length === 0 || size + length > budget()) {
      chunks.push([]);
      size = POLICY_OVERHEAD_CHARS;
    }
    chunks[chunks.length - 1]!.push(arn);
    size += length;
  }
  if (chunks.length > 1 + ROLE_POLICY_BUDGET.managedPolicies) {
    const total = keyed.reduce((sum, { chars }) => sum + chars + 3, 0);
    const capacity = ROLE_POLICY_BUDGET.inlineChars + ROLE_POLICY_BUDGET.managedPolicies * ROLE_POLICY_BUDGET.managedChars;
    throw propsError(
      'refreshOnRotation',
      `grants ${where} ecs:UpdateService on ${keyed.length} service ARNs of about ${total} characters, more than one IAM role holds ` +
        `(10,240 characters of inline policy and ${ROLE_POLICY_BUDGET.managedPolicies} managed policies of 6,144 characters, IAM quotas; ` +
        `about ${Math.floor((capacity * keyed.length) / total)} ARNs like these). ${remedy}`,
    );
  }
  return chunks;
}

/** One target per secret key: entries naming the same secret merge, each service once, in order. */
export function mergeByKey<T extends { readonly key: string; readonly services: readonly ecs.IBaseService[] }>(targets: readonly T[]): (T & { services: ecs.IBaseService[] })[] {
  const merged = new Map<string, T & { services: ecs.IBaseService[] }>();
  for (const target of targets) {
    const entry = merged.get(target.key) ?? { ...target, services: [] };
    for (const service of target.services) if (!entry.services.includes(service)) entry.services.push(service);
    merged.set(target.key, entry);
  }
  return [...merged.values()];
}

/**
 * The resources refreshOnRotation adds to each app stack, checked against IAM before anything is
 * created: per app, one rule per slice of its services; per app stack holding any, its refresh
 * role and 1 to 11 policies. `group` is the app's stack index.
 */
export function refreshResourceCounts(
  scope: Construct,
  targets: readonly { readonly key: string; readonly group: number; readonly services: readonly ecs.IBaseService[] }[],
  where: (group: number) => string,
  remedy: string,
): { readonly perApp: Map<string, number>; readonly perGroup: Map<number, number> } {
  const merged = mergeByKey(targets);
  const perApp = new Map(merged.map((target) => [target.key, sliceServices(scope, target.services).length]));
  const perGroup = new Map<number, number>();
  for (const group of new Set(merged.map((target) => target.group))) {
    const arns = merged.filter((target) => target.group === group).flatMap((target) => target.services.flatMap(serviceArnsForPolicies));
    perGroup.set(group, 1 + packServiceArns(scope, arns, where(group), remedy).length);
  }
  return { perApp, perGroup };
}
