/**
 * The example stack's configurations that cdk-nag.test.ts checks with the AWS Solutions pack, and
 * test/fleet/schema.fleet.ts runs through CDK's CloudFormation schema check (`npm run test:fleet`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAppContext } from '../../bin/context';
import { HopaeEnvironment } from '../../lib/environment';
import type { HopaeSecretRotationStackProps } from '../../lib/example-stack';
import { ACCOUNT, APP_SECRET_ARNS, REGION, WORKSPACE_KEY_ARN } from './fixtures';

/** The committed cdk.json context plus one app by name, as `cdk synth -c hopae:appSecrets=hopae/apps/HqTRDIYH` sees it. */
export function defaultContext(): HopaeSecretRotationStackProps {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const context: Record<string, unknown> = { ...cdkJson.context, 'hopae:appSecrets': 'hopae/apps/HqTRDIYH' };
  const { stackName: _stackName, ...props } = readAppContext((key) => context[key]);
  return props;
}

export const ENV = { account: ACCOUNT, region: REGION };

export const EXAMPLE_VARIANTS: [string, () => HopaeSecretRotationStackProps][] = [
  // Like bin/app.ts without CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION: environment-agnostic.
  ['names only (cdk.json context and one app secret by name)', () => defaultContext()],
  ['complete ARNs', () => ({ env: ENV, environment: HopaeEnvironment.PRODUCTION, workspaceKeySecret: WORKSPACE_KEY_ARN, appSecrets: [...APP_SECRET_ARNS] })],
  [
    'clientIds with alarmEmail',
    () => ({ env: ENV, environment: HopaeEnvironment.SANDBOX, workspaceKeySecret: 'hopae/workspace-key', clientIds: ['HqTRDIYH', 'Zx9Yw8Vu'], alarmEmail: 'ops@example.com' }),
  ],
  [
    'a cron schedule with a window',
    () => ({
      env: ENV,
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: 'hopae/workspace-key',
      appSecrets: ['hopae/apps/HqTRDIYH'],
      scheduleExpression: 'cron(0 4 ? * SUN *)',
      rotationWindowHours: 3,
      runbookUrl: 'https://wiki.example.com/hopae/rotation-failed',
    }),
  ],
];
