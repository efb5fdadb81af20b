import { createHash } from 'node:crypto';
import { AspectPriority, Aspects, type IAspect, Stack, Stage, TagManager, Token } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';
import { propsError } from './validate-props';

/** CloudFormation's resources per stack (AWS CloudFormation quotas, "Resources"). */
export const MAX_RESOURCES_PER_STACK = 500;

/** How many stacks hold the apps when `appStackCount` is not given. */
export const DEFAULT_APP_STACK_COUNT = 32;
const MAX_APP_STACK_COUNT = 200;

/**
 * Which app stack an app belongs to: a hash of the app's key (its secret's name) modulo the stack
 * count. It depends on nothing else, so adding, removing or reordering other apps never moves an
 * app to another stack (its resources would be deleted and created again).
 */
export function appStackIndex(key: string, count: number): number {
  return createHash('sha256').update(`app-stack:${key}`).digest().readUInt32BE(0) % count;
}

export function validateAppStackCount(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_APP_STACK_COUNT) {
    throw propsError('appStackCount', `must be a whole number from 1 to ${MAX_APP_STACK_COUNT}; got ${count}`);
  }
  return count;
}

/**
 * Refuses, before anything is created, a fleet that would put more than 500 resources in one app
 * stack. `apps` holds each app's key and how many resources it adds to its stack; `perStack` what
 * a stack holds besides its apps' (refreshOnRotation's role and policies), by stack index.
 */
export function checkAppStackCapacity(apps: readonly { readonly key: string; readonly resources: number }[], count: number, perStack: ReadonlyMap<number, number> = new Map()): void {
  const totals = new Map<number, number>(perStack);
  for (const app of apps) {
    const index = appStackIndex(app.key, count);
    totals.set(index, (totals.get(index) ?? 0) + app.resources);
  }
  const fullest = Math.max(0, ...totals.values());
  if (fullest > MAX_RESOURCES_PER_STACK) {
    throw propsError(
      'appStackCount',
      `of ${count} puts ${fullest} resources in one app stack, and CloudFormation allows ${MAX_RESOURCES_PER_STACK} per stack ` +
        `(each clientId adds 3, each appSecrets entry 1, each secret in refreshOnRotation 1 rule per 7,500 characters of services, and a stack with any of those its refresh role and policies). Before this construct's first deploy: give a larger appStackCount, e.g. ${Math.min(MAX_APP_STACK_COUNT, count * 2)}. ` +
        'Once deployed, changing appStackCount moves every app between stacks: put further apps in a second HopaeSecretRotation instead (docs/fleet.md).',
    );
  }
}

/**
 * The stacks that hold the per-app resources (created secrets, their resource policies, every
 * rotation schedule), beside the stack of the construct that owns them, in the same app and
 * environment. Top-level stacks rather than nested ones: CloudFormation applies at most 2,500
 * resource changes per operation to a stack and its nested stacks together, which a first deploy
 * or a fleet-wide schedule change of a large fleet exceeds; each stack here is its own operation.
 * A stack exists once an app belongs to it.
 */
export class AppStacks {
  private readonly byIndex = new Map<number, Stack>();

  constructor(
    private readonly owner: Construct,
    private readonly count: number,
  ) {}

  /** The stack of the app with this key, created on first use. */
  stackFor(key: string): Stack {
    const index = appStackIndex(key, this.count);
    const existing = this.byIndex.get(index);
    if (existing) return existing;
    const stack = this.create(index);
    this.byIndex.set(index, stack);
    return stack;
  }

  /** The app stacks created so far, in index order. */
  get stacks(): Stack[] {
    return [...this.byIndex.entries()].sort(([a], [b]) => a - b).map(([, stack]) => stack);
  }

  private create(index: number): Stack {
    const parent = Stack.of(this.owner);
    const stage = Stage.of(parent);
    if (!stage) throw new Error(`HopaeSecretRotation: ${parent.node.path} is not in a CDK App or Stage, so its app stacks have nowhere to go`);
    // The owner's path inside its stack names the stacks: two constructs in one stack stay apart.
    const relative = this.owner.node.path.slice(parent.node.path.length + 1).replace(/[^A-Za-z0-9]+/g, '-');
    const suffix = `${relative}-Apps${String(index).padStart(String(this.count - 1).length, '0')}`;
    const stackName = stackNameWithin(`${parent.stackName}-${suffix}`);
    const env = {
      account: Token.isUnresolved(parent.account) ? undefined : parent.account,
      region: Token.isUnresolved(parent.region) ? undefined : parent.region,
    };
    const stack = new Stack(stage, `${parent.node.id}-${suffix}`, {
      stackName,
      env: env.account || env.region ? env : undefined,
      description: `Hopae secret rotation: app secrets and rotation schedules (stack ${index + 1} of up to ${this.count}) of ${this.owner.node.path}`,
    });
    // Strong references (an export of the function's ARN): the construct's stack cannot be deleted
    // while an app stack still uses its function. Said explicitly, as CDK asks; a context key, so
    // older aws-cdk-lib releases without CrossStackReferences ignore it.
    stack.node.setContext('@aws-cdk/core:defaultCrossStackReferences', 'strong');
    // Deployed after the whole of the construct's stack: the function, its permissions and its
    // invoke permission exist before any rotation schedule (whose creation runs testSecret).
    // (addStackDependency is the newer name; the lowest aws-cdk-lib the package supports has addDependency.)
    const reason = 'the rotation schedules need the rotation function, its permissions and its invoke permission';
    if (typeof stack.addStackDependency === 'function') stack.addStackDependency(parent, reason);
    else stack.addDependency(parent, reason);
    // Tags.of(parent stack) does not reach a sibling stack: the app stack and its resources take the
    // parent's tags, after every Tags aspect ran (a later priority); tags given to it directly win.
    Aspects.of(stack).add(new InheritStackTags(parent), { priority: AspectPriority.DEFAULT });
    return stack;
  }
}

/** Gives every taggable construct it visits the tags of another stack, at a priority below Tags.of(). */
class InheritStackTags implements IAspect {
  constructor(private readonly from: Stack) {}

  visit(node: IConstruct): void {
    if (!TagManager.isTaggable(node)) return;
    for (const [key, value] of Object.entries(this.from.tags.tagValues())) node.tags.setTag(key, value, 0);
  }
}

/** CloudFormation stack names are at most 128 characters: a longer one keeps its end and gains a hash. */
function stackNameWithin(name: string): string {
  if (name.length <= 128) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 128 - 9)}-${hash}`.replace(/^[^A-Za-z]+/, 'S');
}
