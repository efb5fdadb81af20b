/** A fleet of apps in the example stack, synthesized as `cdk synth` would (without its schema check): for the quota test, the growth test and the bench. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { HopaeSecretRotationStack } from '../../lib/example-stack';
import { HopaeEnvironment } from '../../lib/environment';
import { testAppProps } from './test-app';

export const FLEET_ACCOUNT = '123456789012';
export const FLEET_REGION = 'eu-central-1';

export interface FleetSpec {
  /** Existing app secrets: half by name, half by complete ARN. */
  readonly existing: number;
  /** Apps whose secret the stack creates. */
  readonly created: number;
  readonly appStackCount?: number;
  /** Index of the first app, so a fleet can grow with new names. */
  readonly offset?: number;
  /** Apps whose ECS services refreshOnRotation redeploys: every `refreshEvery`th app, existing and created alike. */
  readonly refreshEvery?: number;
  /** Services per refreshed app. @default 2 */
  readonly servicesPerApp?: number;
}

export function existingRefs(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + offset;
    const name = `legacy/payments-app-${String(i).padStart(5, '0')}`;
    return i % 2 === 0 ? name : `arn:aws:secretsmanager:${FLEET_REGION}:${FLEET_ACCOUNT}:secret:${name}-${Math.abs(i * 7919).toString(36).padStart(6, 'x').slice(-6)}`;
  });
}

export function clientIds(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, k) => `Hq${String(k + offset).padStart(6, '0')}`);
}

/**
 * The ECS services of an app (by its position in the fleet), as `hopae:refreshOnRotation` takes
 * them: each app its own, named after it, over 8 clusters.
 */
export function appServices(app: number, count = 2): string[] {
  return Array.from({ length: count }, (_, j) => `arn:aws:ecs:${FLEET_REGION}:${FLEET_ACCOUNT}:service/payments-${app % 8}/app-${String(app).padStart(5, '0')}-${['api', 'worker', 'jobs', 'admin'][j % 4]}${j < 4 ? '' : j}`);
}

/** refreshOnRotation for every `every`th app of the lists (existing first, then created). */
export function refreshFor(refs: { appSecrets: string[]; clientIds: string[] }, every: number, servicesPerApp = 2): Record<string, string[]> {
  const apps = [...refs.appSecrets, ...refs.clientIds];
  const refresh: Record<string, string[]> = {};
  apps.forEach((app, i) => {
    if (i % every === 0) refresh[app] = appServices(i, servicesPerApp);
  });
  return refresh;
}

/** Builds and synthesizes the example stack with the fleet; returns every stack's id and template. */
export function synthFleet(
  spec: FleetSpec,
  refs?: { appSecrets: string[]; clientIds: string[]; refreshOnRotation?: Record<string, string[]> },
): { stacks: { id: string; template: unknown }[]; stack: HopaeSecretRotationStack; warnings: string[] } {
  // Its own cloud assembly directory, removed once the templates are read (a 500-app fleet writes megabytes).
  const outdir = mkdtempSync(join(tmpdir(), 'hopae-fleet-'));
  const app = new App(testAppProps({ outdir }));
  const apps = { appSecrets: refs?.appSecrets ?? existingRefs(spec.existing, spec.offset), clientIds: refs?.clientIds ?? clientIds(spec.created, spec.offset) };
  const refreshOnRotation = refs?.refreshOnRotation ?? (spec.refreshEvery ? refreshFor(apps, spec.refreshEvery, spec.servicesPerApp) : undefined);
  const stack = new HopaeSecretRotationStack(app, 'HopaeSecretRotation', {
    env: { account: FLEET_ACCOUNT, region: FLEET_REGION },
    environment: HopaeEnvironment.PRODUCTION,
    workspaceKeySecret: 'hopae/workspace-key',
    ...apps,
    ...(spec.appStackCount === undefined ? {} : { appStackCount: spec.appStackCount }),
    ...(refreshOnRotation ? { refreshOnRotation } : {}),
  });
  try {
    const assembly = app.synth();
    const warnings = assembly.stacks.flatMap((s) => s.messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data)));
    return { stacks: assembly.stacks.map((s) => ({ id: s.id, template: s.template })), stack, warnings };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
