/** What can never rotate is refused at synth (issue 16 item 4): each case names its prop and creates nothing. */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { HopaeRotationSchedule, HopaeSecretRotationPropsError, type HopaeSecretRotationProps } from '../../lib';
import { ACCOUNT, APP_SECRET_ARNS, appWithoutBundling, attemptRotation, importByArn, KEY_ARNS, REGION, WORKSPACE_KEY_ARN } from './fixtures';
import { testAppProps } from '../support/test-app';

type Props = Partial<HopaeSecretRotationProps>;

const attempt = attemptRotation;

function expectRefused(props: (stack: Stack) => Props, prop: keyof HopaeSecretRotationProps, message: RegExp): void {
  const { error, stack } = attempt(props);
  expect(error).toBeInstanceOf(HopaeSecretRotationPropsError);
  expect((error as HopaeSecretRotationPropsError).prop).toBe(prop);
  expect((error as Error).message).toMatch(new RegExp(`^HopaeSecretRotation: ${prop} `));
  expect((error as Error).message).toMatch(message);
  // Nothing half-built, in this stack or any other of the app.
  const app = stack.node.root;
  expect(app.node.findAll().filter((c) => CfnResource.isCfnResource(c) && c.node.path.includes('Rotation'))).toEqual([]);
}

const OTHER_REGION_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:hopae/apps/far-AbCdEf`;
const OTHER_ACCOUNT_ARN = `arn:aws:secretsmanager:${REGION}:210987654321:secret:hopae/apps/theirs-AbCdEf`;

describe('secrets the function cannot rotate', () => {
  test('refuses an app secret in another region: the function must be in the secret\'s region (a replica is rotated through its primary)', () => {
    expectRefused((stack) => ({ appSecrets: [importByArn(stack, 'Far', OTHER_REGION_ARN)] }), 'appSecrets', /hopae\/apps\/far.*region us-east-1.*this stack's region eu-central-1.*replica/);
  });

  test('refuses an app secret of another account', () => {
    expectRefused((stack) => ({ appSecrets: [importByArn(stack, 'Theirs', OTHER_ACCOUNT_ARN)] }), 'appSecrets', /hopae\/apps\/theirs.*account 210987654321.*this stack's account 123456789012/);
  });

  test('refuses a workspace-key secret in another region: the function reads it through its own region\'s endpoint', () => {
    const far = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:hopae/workspace-key-AbCdEf`;
    expectRefused((stack) => ({ workspaceKeySecret: importByArn(stack, 'FarKey', far) }), 'workspaceKeySecret', /region us-east-1/);
  });

  test('accepts a secret imported by name, and any secret in an environment-agnostic stack (region and account are known at deploy only)', () => {
    expect(attempt((stack) => ({ appSecrets: [Secret.fromSecretNameV2(stack, 'ByName', 'hopae/apps/x')] })).error).toBeUndefined();
    const agnostic = new Stack(appWithoutBundling(), 'Agnostic');
    expect(attempt((stack) => ({ appSecrets: [importByArn(stack, 'Far', OTHER_REGION_ARN)] }), agnostic).error).toBeUndefined();
  });
});

describe('KMS keys given as aliases (IAM matches the key ARN, never the alias: every rotation would stop at AccessDenied)', () => {
  test('refuses an alias as encryptionKey', () => {
    expectRefused(
      (stack) => ({ clientIds: ['HqTRDIYH'], encryptionKey: kms.Alias.fromAliasName(stack, 'A', 'alias/hopae-secrets') }),
      'encryptionKey',
      /alias\/hopae-secrets.*kms\.Key\.fromKeyArn/,
    );
  });

  test('refuses a key imported from an alias ARN', () => {
    expectRefused(
      (stack) => ({ clientIds: ['HqTRDIYH'], encryptionKey: kms.Key.fromKeyArn(stack, 'A', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/hopae-secrets`) }),
      'encryptionKey',
      /alias\/hopae-secrets/,
    );
  });

  test('refuses an app secret imported with an alias as its key', () => {
    expectRefused(
      (stack) => ({
        appSecrets: [Secret.fromSecretAttributes(stack, 'WithAlias', { secretCompleteArn: APP_SECRET_ARNS[1], encryptionKey: kms.Alias.fromAliasName(stack, 'A', 'alias/apps') })],
      }),
      'appSecrets',
      /hopae\/apps\/second.*alias\/apps/,
    );
  });

  test('refuses a workspace-key secret imported with an alias as its key', () => {
    expectRefused(
      (stack) => ({
        workspaceKeySecret: Secret.fromSecretAttributes(stack, 'KeyWithAlias', { secretCompleteArn: WORKSPACE_KEY_ARN, encryptionKey: kms.Alias.fromAliasName(stack, 'A', 'alias/ws') }),
      }),
      'workspaceKeySecret',
      /alias\/ws/,
    );
  });

  test('accepts a key by its key ARN', () => {
    expect(attempt((stack) => ({ clientIds: ['HqTRDIYH'], encryptionKey: kms.Key.fromKeyArn(stack, 'K', KEY_ARNS.appSecret) })).error).toBeUndefined();
  });
});

describe('cron fields out of range', () => {
  test.each([
    ['hour 24', 'cron(0 24 * * ? *)', /hours.*'24'.*0-23/],
    ['day 0', 'cron(0 4 0 * ? *)', /day-of-month.*'0'.*1-31/],
    ['day 32', 'cron(0 4 32 * ? *)', /day-of-month.*'32'/],
    ['an unknown weekday', 'cron(0 4 ? * FUN *)', /day-of-week.*'FUN'.*SUN-SAT/],
    ['weekday 8', 'cron(0 4 ? * 8 *)', /day-of-week.*'8'/],
    ['month 13', 'cron(0 4 1 13 ? *)', /month.*'13'/],
    ['an unknown month', 'cron(0 4 1 JUNE ? *)', /month.*'JUNE'/],
    ['a reversed range', 'cron(0 23-4 * * ? *)', /hours.*'23-4'/],
    ['a step of 0', 'cron(0 0/0 * * ? *)', /hours.*'0\/0'/],
    ['an hour list with a bad item', 'cron(0 4,25 * * ? *)', /hours.*'25'/],
    ['? in the hours', 'cron(0 ? * * ? *)', /hours.*'\?'/],
    ['# outside day-of-week', 'cron(0 4 1#2 * ? *)', /day-of-month.*'1#2'/],
  ])('refuses %s', (_case, expression, message) => {
    expectRefused(() => ({ schedule: HopaeRotationSchedule.cron(expression) }), 'schedule', message);
  });

  test.each([
    'cron(0 4 ? * SUN *)',
    'cron(0 4 ? * sun *)',
    'cron(0 4 ? * MON-FRI *)',
    'cron(0 4 ? * 2-6 *)',
    'cron(0 4 ? * 6#3 *)',
    'cron(0 4 ? * 5L *)',
    'cron(0 4 L * ? *)',
    'cron(0 4 15W * ? *)',
    'cron(0 4 LW * ? *)',
    'cron(0 0/6 * * ? *)',
    'cron(0 4,16 1,15 JAN-JUN ? *)',
    'cron(0 23 31 DEC ? *)',
  ])('accepts %s', (expression) => {
    expect(() => HopaeRotationSchedule.cron(expression)).not.toThrow();
  });
});

describe('a schedule that is not a HopaeRotationSchedule (plain JavaScript, or a Python str)', () => {
  test('refuses a string, naming schedule and how to build one', () => {
    expectRefused(() => ({ schedule: 'rate(30 days)' as unknown as HopaeRotationSchedule }), 'schedule', /HopaeRotationSchedule\.rate\(\) or HopaeRotationSchedule\.cron\(\).*got the string 'rate\(30 days\)'/);
  });

  test('refuses an object that only looks like one', () => {
    expectRefused(() => ({ schedule: { expressionString: 'rate(30 days)' } as unknown as HopaeRotationSchedule }), 'schedule', /HopaeRotationSchedule/);
  });
});

test('the app used above really is checked: a valid app in the same shape synthesizes', () => {
  const app = new App(testAppProps());
  expect(attempt(() => ({}), new Stack(app, 'Ok', { env: { account: ACCOUNT, region: REGION } })).error).toBeUndefined();
});
