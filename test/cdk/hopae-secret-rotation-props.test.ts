import { CfnResource, Duration, type Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  HopaeRotationSchedule,
  HopaeSecretRotation,
  HopaeSecretRotationPropsError,
  type HopaeSecretRotationProps,
} from '../../lib';
import { ACCOUNT, APP_SECRET_ARNS, importByArn, REGION, synthRotation, testStack, WORKSPACE_KEY_ARN } from './fixtures';
import { HopaeEnvironment } from '../../lib/environment';

type Props = Partial<HopaeSecretRotationProps>;

/**
 * Builds a rotation of one app secret in the sandbox with `props` on top (a function of the stack
 * when it needs constructs), returning what was thrown and the stack.
 */
function attempt(props: Props | ((stack: Stack) => Props)): { error: unknown; stack: Stack } {
  const stack = testStack();
  try {
    const extra = typeof props === 'function' ? props(stack) : props;
    new HopaeSecretRotation(stack, 'Rotation', {
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
      appSecrets: [importByArn(stack, 'App', APP_SECRET_ARNS[0])],
      ...extra,
    });
  } catch (error) {
    return { error, stack };
  }
  return { error: undefined, stack };
}

function expectPropsError(props: Parameters<typeof attempt>[0], prop: keyof HopaeSecretRotationProps, message: RegExp): void {
  const { error, stack } = attempt(props);
  expect(error).toBeInstanceOf(HopaeSecretRotationPropsError);
  const propsError = error as HopaeSecretRotationPropsError;
  expect(propsError.name).toBe('HopaeSecretRotationPropsError');
  expect(propsError.prop).toBe(prop);
  expect(propsError.message).toMatch(new RegExp(`^HopaeSecretRotation: ${prop} `));
  expect(propsError.message).toMatch(message);
  // Validation runs before anything is created: no half-built resources under the construct.
  const rotation = stack.node.tryFindChild('Rotation');
  expect(rotation?.node.findAll().filter((c) => CfnResource.isCfnResource(c)) ?? []).toEqual([]);
}

function expectAccepted(props: Parameters<typeof attempt>[0]): void {
  expect(attempt(props).error).toBeUndefined();
}

describe('HopaeSecretRotation props validation', () => {
  test('accepts the minimal valid props', () => {
    // GIVEN / WHEN / THEN the baseline every failing case differs from is valid
    expectAccepted({});
  });

  describe('environment and apiBaseUrl', () => {
    test('requires one of them', () => {
      // GIVEN neither / WHEN constructed / THEN
      expectPropsError({ environment: undefined }, 'environment', /or apiBaseUrl is required; give exactly one/);
    });

    test('rejects both together', () => {
      // GIVEN both / WHEN constructed / THEN
      expectPropsError({ environment: HopaeEnvironment.PRODUCTION, apiBaseUrl: 'https://api.hopae.com/connect/v1' }, 'environment', /and apiBaseUrl are mutually exclusive/);
    });

    test('rejects an unknown environment from untyped callers', () => {
      // GIVEN a value TypeScript would refuse, as from JSON config / WHEN / THEN
      expectPropsError({ environment: 'staging' as unknown as HopaeSecretRotationProps['environment'] }, 'environment', /must be 'sandbox' or 'production'; got 'staging'/);
    });

    test.each([
      ['sandbox', 'https://sandbox.api.hopae.com/connect/v1'],
      ['production', 'https://api.hopae.com/connect/v1'],
    ])("accepts the name '%s' from untyped (JavaScript) callers, as before HopaeEnvironment was a class", (name, url) => {
      const { error, stack } = attempt({ environment: name as unknown as HopaeSecretRotationProps['environment'] });
      expect(error).toBeUndefined();
      expect((stack.node.findChild('Rotation') as HopaeSecretRotation).apiBaseUrl).toBe(url);
    });

    test('HopaeEnvironment.of names the environment, and refuses any other name with a props error', () => {
      expect(HopaeEnvironment.of('production')).toBe(HopaeEnvironment.PRODUCTION);
      expect(HopaeEnvironment.of('sandbox')).toBe(HopaeEnvironment.SANDBOX);
      expect(String(HopaeEnvironment.PRODUCTION)).toBe('production');
      expect(() => HopaeEnvironment.of('Production')).toThrow(/^HopaeSecretRotation: environment must be 'sandbox' or 'production'; got 'Production'$/);
    });

    test.each([
      ['plain http', 'http://api.hopae.com/connect/v1', /must use https/],
      ['plain http to loopback (the function accepts it, a deployment must not)', 'http://127.0.0.1:8080/connect/v1', /must use https: the function runs in AWS, where plain http \(even to localhost\) is refused; got 'http:\/\/127\.0\.0\.1:8080\/connect\/v1'/],
      // Not "plain http is accepted only for localhost": a deployment accepts it nowhere.
      ['plain http to localhost', 'http://localhost:8080/connect/v1', /^HopaeSecretRotation: apiBaseUrl must use https: the function runs in AWS, where plain http \(even to localhost\) is refused/],
      ['plain http to another host', 'http://hopae.internal/connect/v1', /^(?!.*accepted only for).*must use https: the function runs in AWS/],
      ['no /connect/v1 (every call would 404, read as an unknown app)', 'https://api.hopae.com', /must end with \/connect\/v1, Hopae's API base \(e\.g\. https:\/\/api\.hopae\.com\/connect\/v1\): without it every call would 404, read as an unknown app; got 'https:\/\/api\.hopae\.com'/],
      ['another version path', 'https://api.hopae.com/connect/v2', /must end with \/connect\/v1/],
      ['a query', 'https://api.hopae.com/connect/v1?x=1', /must not contain a query/],
      ['a fragment', 'https://api.hopae.com/connect/v1#top', /must not contain a query or fragment/],
      ['credentials', 'https://user:pw@api.hopae.com/connect/v1', /must not contain credentials/],
      ['a non-URL', 'api.hopae.com/connect/v1', /is not a valid URL/],
      ['another scheme', 'ftp://api.hopae.com/connect/v1', /must use https/],
    ])('rejects an apiBaseUrl with %s', (_case, apiBaseUrl, message) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ environment: undefined, apiBaseUrl }, 'apiBaseUrl', message);
    });

    test('strips the function parser prefix from the message', () => {
      // GIVEN a URL the function's own parser rejects / WHEN
      const { error } = attempt({ environment: undefined, apiBaseUrl: 'https://api.hopae.com/connect/v1?x=1' });

      // THEN it reads as a prop error, not as an environment variable error
      expect((error as Error).message).not.toContain('HOPAE_API_BASE_URL');
    });
  });

  describe('names Secrets Manager would refuse', () => {
    test.each([
      ['a space', 'hopae apps/', /may hold only ASCII letters, digits and \/_\+=\.@- \(Secrets Manager's secret name characters\); got 'hopae apps\/'/],
      ['a colon', 'hopae:apps/', /may hold only ASCII letters/],
      ['non-ASCII', 'hopä/', /may hold only ASCII letters/],
      ['a hyphen that makes the name look like an ARN suffix', 'hopae/apps-', /makes the secret name 'hopae\/apps-ABCDEF', which ends with a hyphen and six characters/],
      ['a name over 512 characters', `${'p/'.repeat(254)}`, /makes the secret name of clientId ABCDEF 514 characters long; Secrets Manager allows at most 512/],
    ])('rejects a secretNamePrefix with %s', (_case, secretNamePrefix, message) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ clientIds: ['ABCDEF'], secretNamePrefix }, 'secretNamePrefix', message);
    });

    test('accepts every character Secrets Manager allows in a name', () => {
      // GIVEN / WHEN / THEN
      expect(attempt({ clientIds: ['HqTRDIYH'], secretNamePrefix: 'team+a=b.c@d_e-f/' }).error).toBeUndefined();
    });

    test('blames clientIds when the clientId itself ends with a hyphen and six characters', () => {
      // GIVEN / WHEN / THEN
      expectPropsError({ clientIds: ['legacy-abcdef'] }, 'clientIds', /makes the secret name 'hopae\/apps\/legacy-abcdef'.*import that app's secret through appSecrets/);
    });
  });

  describe('other props', () => {
    test('rejects a missing workspaceKeySecret from untyped callers', () => {
      // GIVEN / WHEN / THEN
      expectPropsError({ workspaceKeySecret: undefined as unknown as HopaeSecretRotationProps['workspaceKeySecret'] }, 'workspaceKeySecret', /is required/);
    });

    test('rejects an encryptionKey with no clientIds: it would encrypt nothing', () => {
      // GIVEN / WHEN / THEN
      expectPropsError((stack: Stack) => ({ encryptionKey: new Key(stack, 'Unused') }), 'encryptionKey', /encrypts only the secrets created for clientIds, and there are none/);
    });

    test('rejects a runbookUrl too long for CloudWatch alarm descriptions', () => {
      // GIVEN / WHEN / THEN
      expectPropsError({ runbookUrl: `https://wiki.example.com/${'x'.repeat(600)}` }, 'runbookUrl', /must be at most 600 characters: every alarm description carries it, and CloudWatch allows 1,024/);
    });

    test('the longest runbookUrl accepted keeps every alarm description within CloudWatch\'s 1,024 characters', () => {
      // GIVEN / WHEN a runbookUrl of the largest length
      const { template } = synthRotation({ runbookUrl: `https://wiki.example.com/${'x'.repeat(600 - 25)}` });

      // THEN
      const descriptions = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => String(alarm.Properties.AlarmDescription));
      expect(descriptions.length).toBeGreaterThanOrEqual(7);
      expect(Math.max(...descriptions.map((d) => d.length))).toBeLessThanOrEqual(1024);
    });
  });

  describe('values of the wrong kind, as plain JavaScript passes them', () => {
    // No type-checker stops these: each must fail naming the prop and the kind it takes, not with a
    // TypeError from inside CDK, and never be read character by character.
    const untyped = (props: Record<string, unknown>) => props as unknown as Props;

    test.each([
      ['timeout', 60],
      ['rotationWindow', 2],
      ['stuckAfter', 30],
      ['auditInterval', '1h'],
      ['overdueGrace', 1],
      ['overdueAfter', 40],
      ['hopaeRequestTimeout', 8000],
      ['hopaeRetryBaseDelay', 200],
      ['hopaeRetryMaxDelay', 4000],
      ['storeReserve', 5],
    ] as const)('rejects %s given as %j rather than a Duration', (prop, value) => {
      // GIVEN / WHEN / THEN
      const got = typeof value === 'string' ? `the string '${value}'` : `the number ${value}`;
      expectPropsError(untyped({ [prop]: value }), prop, new RegExp(`must be a Duration \\(aws-cdk-lib\\), e\\.g\\. Duration\\.\\w+\\(\\d+\\); got ${got}$`));
    });

    test('rejects a secret name in appSecrets, naming how to import it', () => {
      // GIVEN / WHEN / THEN
      expectPropsError(
        untyped({ appSecrets: ['hopae/apps/HqTRDIYH'] }),
        'appSecrets',
        /\[0\] must be a secret \(ISecret\), e\.g\. Secret\.fromSecretNameV2\(this, 'App', 'hopae\/apps\/HqTRDIYH'\); got the string 'hopae\/apps\/HqTRDIYH'$/,
      );
    });

    test('rejects one secret given as appSecrets rather than a list of them', () => {
      // GIVEN / WHEN / THEN
      expectPropsError((stack: Stack) => untyped({ appSecrets: importByArn(stack, 'Single', APP_SECRET_ARNS[1]) }), 'appSecrets', /must be a list of secrets, e\.g\. \[secret\]; got a secret$/);
    });

    test('rejects a secret name as workspaceKeySecret, naming how to import it', () => {
      // GIVEN / WHEN / THEN
      expectPropsError(
        untyped({ workspaceKeySecret: 'hopae/workspace-key' }),
        'workspaceKeySecret',
        /must be a secret \(ISecret\), e\.g\. Secret\.fromSecretNameV2\(this, 'WorkspaceKey', 'hopae\/workspace-key'\); got the string 'hopae\/workspace-key'$/,
      );
    });

    test('rejects one clientId given as a string: it would create a secret per character', () => {
      // GIVEN / WHEN / THEN
      expectPropsError(untyped({ clientIds: 'HqTRDIYH' }), 'clientIds', /must be a list of clientIds, e\.g\. \['HqTRDIYH'\]; got the string 'HqTRDIYH'$/);
    });

    test.each([
      ['memorySize', '256', /must be a number; got the string '256'$/],
      ['appStackCount', '32', /must be a number; got the string '32'$/],
      ['alarmEmail', ['ops@example.com'], /must be a string; got a list$/],
      ['runbookUrl', 5, /must be a string; got the number 5$/],
      ['spreadSchedules', 'false', /must be true or false; got the string 'false'$/],
      ['noProxy', 'internal.example.com', /must be a list of strings, e\.g\. \['\.internal\.example\.com'\]; got the string 'internal\.example\.com'$/],
    ] as const)('rejects %s given as %j', (prop, value, message) => {
      // GIVEN / WHEN / THEN
      expectPropsError(untyped({ [prop]: value, ...(prop === 'noProxy' ? { httpsProxy: 'http://proxy.internal:3128' } : {}) }), prop, message);
    });
  });

  describe('the workspace-key secret', () => {
    test('rejects it among appSecrets: the function only reads it, and rotating it would fail', () => {
      // GIVEN the workspace key imported again as an app / WHEN / THEN
      expectPropsError(
        (stack: Stack) => ({ appSecrets: [importByArn(stack, 'Other', APP_SECRET_ARNS[1]), importByArn(stack, 'KeyAgain', WORKSPACE_KEY_ARN)] }),
        'appSecrets',
        /holds the workspaceKeySecret \(arn:[^)]*hopae\/workspace-key-AbCdEf\): the function only reads the workspace key; .* Remove it from appSecrets$/,
      );
    });

    test('rejects it by name among appSecrets too', () => {
      // GIVEN both imported by name / WHEN / THEN
      expectPropsError(
        (stack: Stack) => ({
          workspaceKeySecret: Secret.fromSecretNameV2(stack, 'KeyByName', 'hopae/workspace-key'),
          appSecrets: [Secret.fromSecretNameV2(stack, 'AppKey', 'hopae/workspace-key')],
        }),
        'appSecrets',
        /holds the workspaceKeySecret \(hopae\/workspace-key\)/,
      );
    });

    test('rejects a clientId that would create the workspace-key secret\'s name', () => {
      // GIVEN prefix hopae/ and clientId workspace-key against a key named hopae/workspace-key / WHEN / THEN
      expectPropsError(
        (stack: Stack) => ({
          workspaceKeySecret: Secret.fromSecretNameV2(stack, 'KeyByName', 'hopae/workspace-key'),
          appSecrets: [],
          clientIds: ['workspace-key'],
          secretNamePrefix: 'hopae/',
        }),
        'clientIds',
        /would create hopae\/workspace-key, the workspaceKeySecret's name/,
      );
    });
  });

  describe('Hopae retry settings', () => {
    test('sets the function\'s environment from the props given, and only those', () => {
      // GIVEN / WHEN
      const { template } = synthRotation({
        timeout: Duration.seconds(120),
        hopaeRequestTimeout: Duration.seconds(15),
        hopaeRotateMaxAttempts: 12,
        hopaeVerifyMaxAttempts: 6,
        hopaeRetryBaseDelay: Duration.millis(500),
        hopaeRetryMaxDelay: Duration.seconds(10),
        storeReserve: Duration.seconds(8),
      });
      const defaults = synthRotation().template;

      // THEN
      const variables = (t: typeof template) => Object.values(t.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Environment?.Variables ?? {}).find((v) => v.HOPAE_API_BASE_URL)!;
      expect(variables(template)).toMatchObject({
        HOPAE_REQUEST_TIMEOUT_MS: '15000',
        HOPAE_ROTATE_MAX_ATTEMPTS: '12',
        HOPAE_VERIFY_MAX_ATTEMPTS: '6',
        HOPAE_RETRY_BASE_DELAY_MS: '500',
        HOPAE_RETRY_MAX_DELAY_MS: '10000',
        ROTATION_STORE_RESERVE_MS: '8000',
      });
      expect(Object.keys(variables(defaults)).filter((name) => /RETRY|ATTEMPTS|REQUEST_TIMEOUT|STORE_RESERVE/.test(name))).toEqual([]);
    });

    test.each<[string, Props, keyof HopaeSecretRotationProps, RegExp]>([
      ['a request timeout over the function timeout', { hopaeRequestTimeout: Duration.seconds(61) }, 'hopaeRequestTimeout', /must be between 1 second and the function's timeout; got 1 minute 1 second/],
      ['a request timeout under a second', { hopaeRequestTimeout: Duration.millis(500) }, 'hopaeRequestTimeout', /between 1 second/],
      ['zero rotate attempts', { hopaeRotateMaxAttempts: 0 }, 'hopaeRotateMaxAttempts', /must be a whole number from 1 to 20; got 0/],
      ['fractional verify attempts', { hopaeVerifyMaxAttempts: 2.5 }, 'hopaeVerifyMaxAttempts', /whole number from 1 to 20; got 2.5/],
      ['a base delay over the max delay', { hopaeRetryBaseDelay: Duration.seconds(5) }, 'hopaeRetryBaseDelay', /between 10 milliseconds and hopaeRetryMaxDelay \(4000 ms\)/],
      ['a max delay under the base delay', { hopaeRetryBaseDelay: Duration.seconds(1), hopaeRetryMaxDelay: Duration.millis(500) }, 'hopaeRetryBaseDelay', /hopaeRetryMaxDelay \(500 ms\)/],
      ['a store reserve leaving Hopae under a second', { storeReserve: Duration.seconds(60) }, 'storeReserve', /between 1 second and the function's timeout less 1 second/],
    ])('rejects %s', (_case, props, prop, message) => {
      // GIVEN / WHEN / THEN
      expectPropsError(props, prop, message);
    });
  });

  describe('apps', () => {
    test('rejects neither appSecrets nor clientIds', () => {
      // GIVEN both empty / WHEN / THEN
      expectPropsError({ appSecrets: [], clientIds: [] }, 'appSecrets', /or clientIds must name at least one app/);
    });

    test('rejects both absent', () => {
      // GIVEN both left out / WHEN / THEN
      expectPropsError({ appSecrets: undefined }, 'appSecrets', /or clientIds must name at least one app/);
    });

    test('rejects the same app secret twice', () => {
      // GIVEN one secret listed twice / WHEN / THEN
      expectPropsError((stack: Stack) => {
        const secret = importByArn(stack, 'Twice', APP_SECRET_ARNS[1]);
        return { appSecrets: [secret, secret] };
      }, 'appSecrets', /contains the same secret more than once/);
    });

    test('rejects the same secret imported twice by ARN', () => {
      // GIVEN two imports of one ARN / WHEN / THEN
      expectPropsError((stack: Stack) => ({
        appSecrets: [importByArn(stack, 'Once', APP_SECRET_ARNS[1]), importByArn(stack, 'Again', APP_SECRET_ARNS[1])],
      }), 'appSecrets', /contains the same secret more than once \(arn:/);
    });

    test('rejects an app secret that a clientId would also create', () => {
      // GIVEN hopae/apps/X by name and clientId X / WHEN / THEN
      expectPropsError((stack: Stack) => ({
        appSecrets: [Secret.fromSecretNameV2(stack, 'ByName', 'hopae/apps/HqTRDIYH')],
        clientIds: ['HqTRDIYH'],
      }), 'appSecrets', /contains hopae\/apps\/HqTRDIYH, which clientIds would also create/);
    });

    test.each([
      ['a slash', 'a/b'],
      ['a colon', 'a:b'],
      ['129 characters', 'a'.repeat(129)],
    ])('rejects a clientId with %s', (_case, clientId) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ appSecrets: [], clientIds: ['HqTRDIYH', clientId] }, 'clientIds', /must hold ids of letters, digits/);
    });

    test.each([
      ['"."', '.', /holds a clientId that is "\.", which a URL path resolves instead of sending/],
      ['".."', '..', /holds a clientId that is "\.\.", which a URL path resolves/],
      ['nothing', '', /holds a clientId that is empty/],
      ['a space', 'bad id', /holds a clientId that contains whitespace or control characters; got 'bad id'/],
      ['a tab', 'bad\tid', /contains whitespace or control characters; got 'bad\\tid'/],
    ])('rejects a clientId that is not one URL path segment: %s, naming the problem', (_case, clientId, message) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ appSecrets: [], clientIds: ['HqTRDIYH', clientId] }, 'clientIds', message);
    });

    test('rejects the same clientId twice', () => {
      // GIVEN / WHEN / THEN
      expectPropsError({ clientIds: ['HqTRDIYH', 'other', 'HqTRDIYH'] }, 'clientIds', /contains the same clientId more than once/);
    });

    test.each([
      ['clientIds only', { appSecrets: [], clientIds: ['HqTRDIYH'] }],
      ['a clientId of 128 safe characters', { appSecrets: [], clientIds: ['Aa0_.-'.padEnd(128, 'x')] }],
      ['appSecrets and clientIds', { clientIds: ['HqTRDIYH', 'legacy_id.v2-1'] }],
    ])('accepts %s', (_case, props) => {
      // GIVEN / WHEN / THEN
      expectAccepted(props);
    });
  });

  describe('schedule', () => {
    test.each([
      ['3 hours', Duration.hours(3), /rate must be between 4 hours and 999 days; got 3 hours/],
      ['0 days', Duration.days(0), /rate must be between 4 hours and 999 days/],
      ['1000 days', Duration.days(1000), /rate must be between 4 hours and 999 days/],
      ['4 hours 30 minutes', Duration.minutes(270), /rate must be 4 to 23 whole hours or a whole number of days/],
      ['a day and a minute', Duration.minutes(24 * 60 + 1), /rate must be 4 to 23 whole hours or a whole number of days/],
      ['36 hours (hour rates reset each UTC day)', Duration.hours(36), /rate must be 4 to 23 whole hours or a whole number of days/],
    ])('rejects a rate of %s', (_case, interval, message) => {
      // GIVEN / WHEN / THEN
      expectPropsError(() => ({ schedule: HopaeRotationSchedule.rate(interval) }), 'schedule', message);
    });

    test.each([
      ['5 fields', 'cron(0 4 ? * SUN)', /6 fields/],
      ['7 fields', 'cron(0 0 4 ? * SUN *)', /6 fields/],
      ['no cron( wrapper', '0 4 ? * SUN *', /6 fields/],
      ['a rate expression', 'rate(30 days)', /6 fields/],
      ["no '?' in day-of-month or day-of-week", 'cron(0 4 1 * SUN *)', /cron needs '\?' in day-of-month or day-of-week/],
      ["'*' in both day fields", 'cron(0 4 * * * *)', /cron needs '\?'/],
      ['minutes other than 0', 'cron(30 4 ? * SUN *)', /cron minutes must be 0/],
      ['a fixed year', 'cron(0 4 ? * SUN 2027)', /cron year must be \*/],
    ])('rejects a cron with %s', (_case, expression, message) => {
      // GIVEN / WHEN / THEN
      expectPropsError(() => ({ schedule: HopaeRotationSchedule.cron(expression) }), 'schedule', message);
    });

    test.each([
      ['4 hours', () => HopaeRotationSchedule.rate(Duration.hours(4))],
      ['23 hours', () => HopaeRotationSchedule.rate(Duration.hours(23))],
      ['999 days', () => HopaeRotationSchedule.rate(Duration.days(999))],
      ["'?' in day-of-month", () => HopaeRotationSchedule.cron('cron(0 4 ? * SUN *)')],
      ["'?' in day-of-week", () => HopaeRotationSchedule.cron('cron(0 4 1 * ? *)')],
    ])('accepts %s', (_case, schedule) => {
      // GIVEN / WHEN / THEN
      expectAccepted(() => ({ schedule: schedule() }));
    });
  });

  describe('rotationWindow', () => {
    test.each([
      ['0 hours', Duration.hours(0)],
      ['25 hours', Duration.hours(25)],
      ['90 minutes', Duration.minutes(90)],
    ])('rejects %s', (_case, rotationWindow) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ rotationWindow }, 'rotationWindow', /must be whole hours from 1 to 24/);
    });

    test.each([
      ['1 hour', Duration.hours(1)],
      ['24 hours', Duration.hours(24)],
      ['1 day written in days', Duration.days(1)],
    ])('accepts %s', (_case, rotationWindow) => {
      // GIVEN / WHEN / THEN
      expectAccepted({ rotationWindow });
    });

    test.each([
      ['7h on rate(6 hours)', () => HopaeRotationSchedule.rate(Duration.hours(6)), Duration.hours(7), /of 7h reaches into the next rotation of rate\(6 hours\)/],
      ['5h at 20:00', () => HopaeRotationSchedule.cron('cron(0 20 ? * SUN *)'), Duration.hours(5), /opening at 20:00 UTC .* reaches into the next UTC day/],
      ['13h on every 12 hours from 4:00', () => HopaeRotationSchedule.cron('cron(0 4/12 * * ? *)'), Duration.hours(13), /reaches into the next rotation/],
    ])('rejects a window that overlaps the next one: %s', (_case, schedule, rotationWindow, message) => {
      // GIVEN a schedule and a window too long for it / WHEN / THEN
      expectPropsError(() => ({ schedule: schedule(), rotationWindow }), 'rotationWindow', message);
    });

    test.each([
      ['6h on rate(6 hours)', () => HopaeRotationSchedule.rate(Duration.hours(6)), Duration.hours(6)],
      ['4h at 20:00', () => HopaeRotationSchedule.cron('cron(0 20 ? * SUN *)'), Duration.hours(4)],
      ['24h on rate(30 days)', () => HopaeRotationSchedule.rate(Duration.days(30)), Duration.hours(24)],
    ])('accepts a window that fits: %s', (_case, schedule, rotationWindow) => {
      // GIVEN / WHEN / THEN
      expectAccepted(() => ({ schedule: schedule(), rotationWindow }));
    });
  });

  describe('function settings', () => {
    test.each([
      ['29 seconds', Duration.seconds(29)],
      ['16 minutes', Duration.minutes(16)],
    ])('rejects a timeout of %s', (_case, timeout) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ timeout }, 'timeout', /must be between 30 seconds and 15 minutes/);
    });

    test.each([
      ['30 seconds', Duration.seconds(30)],
      ['15 minutes', Duration.minutes(15)],
    ])('accepts a timeout of %s', (_case, timeout) => {
      // GIVEN / WHEN / THEN
      expectAccepted({ timeout });
    });

    test.each([64, 127, 1.5, 256.5, 10_241, 20_000])('rejects memorySize %s', (memorySize) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ memorySize }, 'memorySize', /must be a whole number of MB between 128 and 10240/);
    });

    test.each([128, 10_240])('accepts memorySize %s', (memorySize) => {
      // GIVEN / WHEN / THEN
      expectAccepted({ memorySize });
    });

    test.each([0, 5, 9, 10.5])('rejects reservedConcurrentExecutions %s', (reservedConcurrentExecutions) => {
      // GIVEN a reservation too small for Secrets Manager's invocations (or not whole) / WHEN / THEN
      expectPropsError({ reservedConcurrentExecutions }, 'reservedConcurrentExecutions', /must be a whole number of at least 10/);
    });

    test.each([10, 50])('accepts reservedConcurrentExecutions %s', (reservedConcurrentExecutions) => {
      // GIVEN / WHEN / THEN
      expectAccepted({ reservedConcurrentExecutions });
    });
  });

  describe('alerts', () => {
    test('rejects alarmTopic together with alarmEmail', () => {
      // GIVEN an own topic and an address / WHEN / THEN
      expectPropsError((stack: Stack) => ({
        alarmTopic: sns.Topic.fromTopicArn(stack, 'Topic', `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`),
        alarmEmail: 'ops@example.com',
      }), 'alarmEmail', /and alarmTopic are mutually exclusive/);
    });

    test.each(['not-an-address', 'ops@example', 'ops example@example.com', '@example.com'])('rejects alarmEmail %s', (alarmEmail) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ alarmEmail }, 'alarmEmail', /is not an e-mail address/);
    });

    test('rejects a runbookUrl with < or > (EventBridge placeholders)', () => {
      // GIVEN / WHEN / THEN
      expectPropsError({ runbookUrl: 'https://wiki.example.com/<page>' }, 'runbookUrl', /must not contain < or >/);
    });

    test.each(['', '   '])('rejects an empty runbookUrl %j', (runbookUrl) => {
      // GIVEN / WHEN / THEN
      expectPropsError({ runbookUrl }, 'runbookUrl', /must not be empty/);
    });

    test('accepts an address and a runbook', () => {
      // GIVEN / WHEN / THEN
      expectAccepted({ alarmEmail: 'ops@example.com', runbookUrl: 'https://wiki.example.com/hopae' });
    });
  });
});
