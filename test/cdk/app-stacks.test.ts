/**
 * Per-app resources live in app stacks picked by a hash of the secret's name (lib/app-stacks.ts):
 * growing, shrinking or reordering the fleet must not move, rename or change an app already deployed.
 */
import { CfnResource } from 'aws-cdk-lib';
import { HopaeSecretRotationPropsError } from '../../lib';
import { appStackIndex, checkAppStackCapacity, validateAppStackCount } from '../../lib/app-stacks';
import { appServices, clientIds, existingRefs, synthFleet } from '../support/fleet';
import { attemptRotation, synthRotation } from './fixtures';

interface Placed {
  readonly stack: string;
  readonly logicalId: string;
  readonly resource: unknown;
}

/** Every per-app resource of the app stacks, by the app it belongs to (the secret's name or ARN) and its type. */
function placement(stacks: { id: string; template: unknown }[]): Map<string, Placed> {
  const placed = new Map<string, Placed>();
  for (const { id, template } of stacks.filter((s) => s.id !== 'HopaeSecretRotation')) {
    const resources = (template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }).Resources;
    const nameOf = (ref: unknown): string => {
      if (typeof ref === 'string') return ref;
      const logicalId = (ref as { Ref: string }).Ref;
      return resources[logicalId]!.Properties.Name as string;
    };
    for (const [logicalId, resource] of Object.entries(resources)) {
      // refreshOnRotation: a rule by its name (a hash of the app's); the stack's refresh role by its
      // logical id; its policies' contents follow the stack's whole service list, so only their ids.
      if (resource.Type === 'AWS::Events::Rule') placed.set(`${resource.Properties.Name as string} ${resource.Type}`, { stack: id, logicalId, resource });
      else if (resource.Type === 'AWS::IAM::Role') placed.set(`${logicalId} ${resource.Type}`, { stack: id, logicalId, resource });
      else if (resource.Type.startsWith('AWS::IAM::')) continue;
      else {
        const app = resource.Type === 'AWS::SecretsManager::Secret' ? (resource.Properties.Name as string) : nameOf(resource.Properties.SecretId);
        placed.set(`${app} ${resource.Type}`, { stack: id, logicalId, resource });
      }
    }
  }
  return placed;
}

describe('app stacks', () => {
  // Every 4th app refreshes 2 ECS services (refreshOnRotation): 15 existing and 5 created.
  const withRefresh = (apps: { appSecrets: string[]; clientIds: string[] }) => ({
    ...apps,
    refreshOnRotation: Object.fromEntries([...apps.appSecrets, ...apps.clientIds].filter((app) => refreshed.has(app)).map((app) => [app, refreshed.get(app)!])),
  });
  const before = { appSecrets: existingRefs(60), clientIds: clientIds(20) };
  const refreshed = new Map([...before.appSecrets, ...before.clientIds].filter((_, i) => i % 4 === 0).map((app, i) => [app, appServices(i)]));
  let original: Map<string, Placed>;
  let roles: number;
  beforeAll(() => {
    const { stacks } = synthFleet({ existing: 0, created: 0 }, withRefresh(before));
    original = placement(stacks);
    roles = [...original.keys()].filter((key) => key.endsWith('AWS::IAM::Role')).length;
  });

  test('hold every per-app resource: 1 per existing secret, 3 per created one, 1 rule per refreshed one, and one refresh role per stack refreshing any', () => {
    expect(roles).toBeGreaterThan(1);
    expect(original.size).toBe(60 + 3 * 20 + 20 + roles);
  });

  test('growing the fleet keeps every deployed app in its stack, under its logical ids, unchanged', () => {
    // GIVEN 230 more apps, some sorting before, some between, some after the old ones
    const grown = {
      appSecrets: [...existingRefs(150, 1000), ...before.appSecrets.slice(0, 30), ...existingRefs(30, 2000).map((r) => r.replace('payments', 'aaa')), ...before.appSecrets.slice(30)],
      clientIds: [...clientIds(50, 500), ...before.clientIds],
    };

    // WHEN synthesized again, the old apps refreshing the same services
    const after = placement(synthFleet({ existing: 0, created: 0 }, withRefresh(grown)).stacks);

    // THEN each old resource is exactly where and what it was (a refresh rule included)
    const newRoles = [...after.keys()].filter((key) => key.endsWith('AWS::IAM::Role') && !original.has(key)).length;
    expect(after.size).toBe(original.size + 180 + 3 * 50 + newRoles);
    for (const [key, was] of original) expect({ key, ...after.get(key) }).toEqual({ key, ...was });
  });

  test('removing and reordering apps moves none of the others', () => {
    const fewer = { appSecrets: [...before.appSecrets].reverse().filter((_, i) => i % 3 !== 0), clientIds: before.clientIds.slice(5) };
    const after = placement(synthFleet({ existing: 0, created: 0 }, withRefresh(fewer)).stacks);
    expect([...after.keys()].some((key) => key.endsWith('AWS::Events::Rule'))).toBe(true);
    for (const [key, now] of after) expect({ key, ...now }).toEqual({ key, ...original.get(key) });
  });

  test('are named after the construct\'s stack and id, and deployed after it', () => {
    const { rotation, stack } = synthRotation({ clientIds: ['HqTRDIYH'] });
    expect(rotation.appStacks.length).toBeGreaterThan(0);
    for (const appStack of rotation.appStacks) {
      expect(appStack.stackName).toMatch(/^TestStack-Rotation-Apps\d\d$/);
      expect(appStack.account).toBe(stack.account);
      expect(appStack.region).toBe(stack.region);
      expect(appStack.dependencies).toEqual([stack]);
    }
  });

  test('place an app by its name alone, within the count', () => {
    const indexes = clientIds(1000).map((id) => appStackIndex(`hopae/apps/${id}`, 32));
    expect(new Set(indexes).size).toBe(32);
    expect(Math.min(...indexes)).toBe(0);
    expect(Math.max(...indexes)).toBe(31);
    expect(appStackIndex('hopae/apps/x', 32)).toBe(appStackIndex('hopae/apps/x', 32));
  });
});

describe('appStackCount', () => {
  test.each([0, 201, 2.5, Number.NaN])('refuses %s, naming the prop', (count) => {
    expect(() => validateAppStackCount(count)).toThrow(/^HopaeSecretRotation: appStackCount must be a whole number from 1 to 200/);
  });

  test('refuses a fleet that would put more than 500 resources in one app stack, before creating anything, with what to do', () => {
    // GIVEN 200 created apps (600 resources) for a single app stack
    const { error, stack } = attemptRotation(() => ({ clientIds: clientIds(200), appStackCount: 1 }));

    // THEN
    expect(error).toBeInstanceOf(HopaeSecretRotationPropsError);
    expect((error as HopaeSecretRotationPropsError).prop).toBe('appStackCount');
    expect((error as Error).message).toMatch(/of 1 puts 601 resources in one app stack.*500 per stack.*give a larger appStackCount, e\.g\. 2.*second HopaeSecretRotation/);
    expect(stack.node.root.node.findAll().filter((c) => CfnResource.isCfnResource(c))).toEqual([]);
  });

  test('counts 1 resource per existing secret and 3 per created one', () => {
    expect(() => checkAppStackCapacity([{ key: 'a', resources: 500 }], 1)).not.toThrow();
    expect(() => checkAppStackCapacity([{ key: 'a', resources: 498 }, { key: 'b', resources: 3 }], 1)).toThrow(/501 resources/);
  });
});
