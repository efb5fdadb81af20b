import { Duration } from 'aws-cdk-lib';
import { HopaeSecretRotation, HopaeSecretRotationPropsError, type HopaeSecretRotationProps } from '../../lib';
import { APP_SECRET_ARNS, importByArn, testStack, WORKSPACE_KEY_ARN } from './fixtures';

/** Builds a rotation with valid secrets and the given props, returning what the constructor threw. */
function errorFor(props: Partial<HopaeSecretRotationProps>): unknown {
  const stack = testStack();
  const workspaceKeySecret = importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN);
  const appSecret = importByArn(stack, 'App', APP_SECRET_ARNS[0]);
  try {
    new HopaeSecretRotation(stack, 'Rotation', { workspaceKeySecret, appSecrets: [appSecret], ...props });
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectPropsError(props: Partial<HopaeSecretRotationProps>, prop: keyof HopaeSecretRotationProps, message: RegExp): void {
  const error = errorFor(props);
  expect(error).toBeInstanceOf(HopaeSecretRotationPropsError);
  expect((error as HopaeSecretRotationPropsError).prop).toBe(prop);
  expect((error as Error).message).toContain(prop);
  expect((error as Error).message).toMatch(message);
}

describe('HopaeSecretRotation props validation', () => {
  test('accepts the minimal valid props', () => {
    // GIVEN / WHEN / THEN the baseline the failing cases differ from is valid
    expect(errorFor({ environment: 'sandbox' })).toBeUndefined();
  });

  test('requires environment or apiBaseUrl', () => {
    // GIVEN neither / WHEN constructed / THEN
    expectPropsError({}, 'environment', /apiBaseUrl is required/);
  });

  test('rejects environment together with apiBaseUrl', () => {
    // GIVEN both / WHEN constructed / THEN
    expectPropsError(
      { environment: 'production', apiBaseUrl: 'https://api.hopae.com/connect/v1' },
      'environment',
      /mutually exclusive/,
    );
  });

  test('rejects an unknown environment from untyped callers', () => {
    // GIVEN a value TypeScript would refuse, as from JSON config
    expectPropsError({ environment: 'staging' as HopaeSecretRotationProps['environment'] }, 'environment', /'sandbox' or 'production'/);
  });

  test.each([
    ['plain http', 'http://api.hopae.com/connect/v1', /must use https/],
    ['plain http to loopback', 'http://127.0.0.1:8080/connect/v1', /must use https/],
    ['a query', 'https://api.hopae.com/connect/v1?x=1', /must not contain a query/],
    ['a non-URL', 'api.hopae.com/connect/v1', /not a valid URL/],
    ['credentials in the URL', 'https://user:pw@api.hopae.com/connect/v1', /must not contain credentials/],
  ])('rejects an apiBaseUrl with %s', (_case, apiBaseUrl, message) => {
    // GIVEN / WHEN / THEN
    expectPropsError({ apiBaseUrl }, 'apiBaseUrl', message);
  });

  test('rejects an empty appSecrets list', () => {
    // GIVEN / WHEN / THEN
    expectPropsError({ environment: 'sandbox', appSecrets: [] }, 'appSecrets', /at least one/);
  });

  test('rejects the same app secret twice', () => {
    // GIVEN one secret listed twice
    const stack = testStack();
    const secret = importByArn(stack, 'App', APP_SECRET_ARNS[0]);

    // WHEN / THEN
    expect(
      () =>
        new HopaeSecretRotation(stack, 'Rotation', {
          environment: 'sandbox',
          workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
          appSecrets: [secret, secret],
        }),
    ).toThrow(/appSecrets contains the same secret more than once/);
  });

  test.each([
    ['29 seconds', Duration.seconds(29)],
    ['16 minutes', Duration.minutes(16)],
  ])('rejects a timeout of %s', (_case, timeout) => {
    // GIVEN / WHEN / THEN
    expectPropsError({ environment: 'sandbox', timeout }, 'timeout', /between 30 seconds and 15 minutes/);
  });

  test.each([
    ['3 hours', Duration.hours(3), /between 4 hours and 1000 days/],
    ['1001 days', Duration.days(1001), /between 4 hours and 1000 days/],
    ['0 days', Duration.days(0), /between 4 hours and 1000 days/],
    ['a fraction of an hour', Duration.minutes(270), /whole number of hours/],
  ])('rejects automaticallyAfter of %s', (_case, automaticallyAfter, message) => {
    // GIVEN / WHEN / THEN
    expectPropsError({ environment: 'sandbox', automaticallyAfter }, 'automaticallyAfter', message);
  });

  test.each([['4 hours', Duration.hours(4)], ['1000 days', Duration.days(1000)]])(
    'accepts automaticallyAfter at the limit of %s',
    (_case, automaticallyAfter) => {
      // GIVEN / WHEN / THEN
      expect(errorFor({ environment: 'sandbox', automaticallyAfter })).toBeUndefined();
    },
  );

  test.each([127, 10_241, 256.5])('rejects memorySize %s', (memorySize) => {
    // GIVEN / WHEN / THEN
    expectPropsError({ environment: 'sandbox', memorySize }, 'memorySize', /whole number of MB between 128 and 10240/);
  });
});
