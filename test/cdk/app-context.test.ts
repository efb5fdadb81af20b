import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppContextError, readAppContext } from '../../bin/context';
import { HopaeEnvironment } from '../../lib/environment';

type Context = Record<string, unknown>;

const VALID: Context = {
  'hopae:environment': 'sandbox',
  'hopae:workspaceKeySecret': 'hopae/workspace-key',
  'hopae:appSecrets': ['hopae/apps/HqTRDIYH'],
};

function read(overrides: Context = {}) {
  const context: Context = { ...VALID, ...overrides };
  return readAppContext((key) => context[key]);
}

function expectContextError(overrides: Context, key: string, message: RegExp): void {
  let error: unknown;
  try {
    read(overrides);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(AppContextError);
  expect((error as AppContextError).key).toBe(key);
  expect((error as Error).message).toContain(key);
  expect((error as Error).message).toMatch(message);
}

describe('readAppContext', () => {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { app: string; context: Context };

  test('cdk.json names no app: a synth with only clientIds attaches only those', () => {
    // GIVEN the context block of cdk.json, plus -c hopae:clientIds=HqTRDIYH
    const given: Context = { ...cdkJson.context, 'hopae:clientIds': 'HqTRDIYH' };

    // WHEN
    const context = readAppContext((key) => given[key]);

    // THEN
    expect(cdkJson.app).toBe('npx tsx bin/app.ts');
    expect(context).toEqual({
      stackName: 'HopaeSecretRotation',
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: 'hopae/workspace-key',
      appSecrets: [],
      clientIds: ['HqTRDIYH'],
    });
  });

  test('cdk.json alone fails with one line naming the context keys to pass', () => {
    // GIVEN / WHEN / THEN
    expect(() => readAppContext((key) => cdkJson.context[key])).toThrow(
      /^Context hopae:appSecrets or hopae:clientIds must name at least one app: pass -c hopae:clientIds=<clientId>\[,\.\.\.\] \(creates their secrets\) or -c hopae:appSecrets=<secret name or ARN>\[,\.\.\.\] \(attaches existing secrets\)$/,
    );
  });

  test('names the production stack apart from the sandbox one', () => {
    // GIVEN / WHEN / THEN
    expect(read({ 'hopae:environment': 'production' })).toMatchObject({
      environment: HopaeEnvironment.PRODUCTION,
      stackName: 'HopaeSecretRotation-production',
    });
  });

  test.each([
    ['a comma-separated -c value', ' hopae/apps/a , arn:aws:secretsmanager:eu-central-1:123456789012:secret:b-AbCdEf '],
    ['a JSON array given as a -c string', '["hopae/apps/a","arn:aws:secretsmanager:eu-central-1:123456789012:secret:b-AbCdEf"]'],
    ['a JSON array from cdk.json', ['hopae/apps/a', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:b-AbCdEf']],
  ])('reads appSecrets from %s', (_case, appSecrets) => {
    // GIVEN / WHEN / THEN
    expect(read({ 'hopae:appSecrets': appSecrets }).appSecrets).toEqual([
      'hopae/apps/a',
      'arn:aws:secretsmanager:eu-central-1:123456789012:secret:b-AbCdEf',
    ]);
  });

  test.each([
    ['a number', 7, 7],
    ['a -c string', '90', 90],
    ['nothing (the construct spreads the schedules)', undefined, undefined],
  ])('reads rotationDays from %s', (_case, rotationDays, expected) => {
    // GIVEN / WHEN / THEN
    expect(read({ 'hopae:rotationDays': rotationDays }).rotationDays).toBe(expected);
  });

  test.each([
    ['a comma-separated -c value', ' HqTRDIYH , Zx9Yw8Vu '],
    ['a JSON array given as a -c string', '["HqTRDIYH","Zx9Yw8Vu"]'],
    ['a JSON array from cdk.json', ['HqTRDIYH', 'Zx9Yw8Vu']],
  ])('reads clientIds from %s', (_case, clientIds) => {
    // GIVEN / WHEN / THEN
    expect(read({ 'hopae:clientIds': clientIds }).clientIds).toEqual(['HqTRDIYH', 'Zx9Yw8Vu']);
  });

  test.each([
    ['absent', undefined],
    ['an empty array', []],
    ['an empty -c string', ''],
  ])('accepts appSecrets %s when clientIds name the apps', (_case, appSecrets) => {
    // GIVEN / WHEN
    const context = read({ 'hopae:appSecrets': appSecrets, 'hopae:clientIds': 'HqTRDIYH' });

    // THEN
    expect(context.appSecrets).toEqual([]);
    expect(context.clientIds).toEqual(['HqTRDIYH']);
  });

  test('reads the optional schedule, window, alert address and runbook, trimmed', () => {
    // GIVEN / WHEN values as -c strings
    const context = read({
      'hopae:scheduleExpression': ' cron(0 4 ? * SUN *) ',
      'hopae:rotationWindowHours': '3',
      'hopae:alarmEmail': ' ops@example.com ',
      'hopae:runbookUrl': 'https://wiki.example.com/hopae ',
    });

    // THEN
    expect(context).toMatchObject({
      scheduleExpression: 'cron(0 4 ? * SUN *)',
      rotationWindowHours: 3,
      alarmEmail: 'ops@example.com',
      runbookUrl: 'https://wiki.example.com/hopae',
    });
  });

  test.each([
    ['1 hour as a number', 1, 1],
    ['24 hours as a -c string', '24', 24],
  ])('reads rotationWindowHours of %s', (_case, hours, expected) => {
    // GIVEN / WHEN / THEN
    expect(read({ 'hopae:rotationWindowHours': hours }).rotationWindowHours).toBe(expected);
  });

  test.each([
    ['a JSON object from cdk.json', { 'hopae/apps/HqTRDIYH': ['arn:aws:ecs:eu-central-1:123456789012:service/payments/api'] }],
    ['its text given with -c', '{"hopae/apps/HqTRDIYH":["arn:aws:ecs:eu-central-1:123456789012:service/payments/api"]}'],
  ])('reads refreshOnRotation from %s, by app as listed in appSecrets or clientIds', (_case, value) => {
    // GIVEN / WHEN
    const context = read({ 'hopae:refreshOnRotation': value, 'hopae:clientIds': 'Zx9Yw8Vu' });

    // THEN
    expect(context.refreshOnRotation).toEqual({ 'hopae/apps/HqTRDIYH': ['arn:aws:ecs:eu-central-1:123456789012:service/payments/api'] });
    expect(read({ 'hopae:refreshOnRotation': { Zx9Yw8Vu: ['arn:aws:ecs:eu-central-1:123456789012:service/payments/kyc'] }, 'hopae:clientIds': 'Zx9Yw8Vu' }).refreshOnRotation).toEqual({
      Zx9Yw8Vu: ['arn:aws:ecs:eu-central-1:123456789012:service/payments/kyc'],
    });
  });

  test('leaves the optional keys out when they are not given', () => {
    // GIVEN / WHEN the minimal context
    const context = read();

    // THEN no key with an undefined value that would override a stack default
    for (const key of ['scheduleExpression', 'rotationWindowHours', 'alarmEmail', 'runbookUrl', 'refreshOnRotation']) {
      expect(Object.keys(context)).not.toContain(key);
    }
  });

  test.each([
    ['an unknown environment', { 'hopae:environment': 'staging' }, 'hopae:environment', /'sandbox' or 'production'; got "staging"/],
    ['a missing environment', { 'hopae:environment': undefined }, 'hopae:environment', /got nothing/],
    ['a missing workspace key secret', { 'hopae:workspaceKeySecret': undefined }, 'hopae:workspaceKeySecret', /name or ARN/],
    ['a blank workspace key secret', { 'hopae:workspaceKeySecret': '  ' }, 'hopae:workspaceKeySecret', /name or ARN/],
    ['neither app secrets nor clientIds', { 'hopae:appSecrets': undefined }, 'hopae:appSecrets', /or hopae:clientIds must name at least one app/],
    ['empty app secrets and clientIds', { 'hopae:appSecrets': [], 'hopae:clientIds': [] }, 'hopae:appSecrets', /or hopae:clientIds must name at least one app/],
    ['app secrets that are not a list', { 'hopae:appSecrets': 42 }, 'hopae:appSecrets', /JSON array or a comma-separated list/],
    ['an empty entry in the list', { 'hopae:appSecrets': 'a,,b' }, 'hopae:appSecrets', /non-empty/],
    ['a non-string entry', { 'hopae:appSecrets': ['a', 42] }, 'hopae:appSecrets', /non-empty secret names or ARNs; got 42/],
    ['broken JSON', { 'hopae:appSecrets': '["a",' }, 'hopae:appSecrets', /does not parse/],
    ['a duplicate secret', { 'hopae:appSecrets': 'a,b,a' }, 'hopae:appSecrets', /lists a more than once/],
    ['a duplicate clientId', { 'hopae:clientIds': 'HqTRDIYH,HqTRDIYH' }, 'hopae:clientIds', /lists HqTRDIYH more than once/],
    ['an empty clientId', { 'hopae:clientIds': ['HqTRDIYH', ' '] }, 'hopae:clientIds', /non-empty clientIds/],
    ['clientIds that are not a list', { 'hopae:clientIds': { id: 'HqTRDIYH' } }, 'hopae:clientIds', /JSON array or a comma-separated list of clientIds/],
    ['zero days', { 'hopae:rotationDays': 0 }, 'hopae:rotationDays', /from 1 to 1000/],
    ['1001 days', { 'hopae:rotationDays': '1001' }, 'hopae:rotationDays', /from 1 to 1000/],
    ['fractional days', { 'hopae:rotationDays': 1.5 }, 'hopae:rotationDays', /whole number/],
    ['a non-numeric string', { 'hopae:rotationDays': '30d' }, 'hopae:rotationDays', /got "30d"/],
    ['a rate as scheduleExpression', { 'hopae:scheduleExpression': 'rate(7 days)' }, 'hopae:scheduleExpression', /must be a cron\(\.\.\.\) expression/],
    ['a non-string scheduleExpression', { 'hopae:scheduleExpression': 7 }, 'hopae:scheduleExpression', /got 7/],
    ['a zero-hour window', { 'hopae:rotationWindowHours': 0 }, 'hopae:rotationWindowHours', /whole number of hours from 1 to 24/],
    ['a 25-hour window', { 'hopae:rotationWindowHours': '25' }, 'hopae:rotationWindowHours', /whole number of hours from 1 to 24/],
    ['a fractional window', { 'hopae:rotationWindowHours': 1.5 }, 'hopae:rotationWindowHours', /whole number of hours/],
    ['a blank alarmEmail', { 'hopae:alarmEmail': '  ' }, 'hopae:alarmEmail', /non-empty string/],
    ['a non-string alarmEmail', { 'hopae:alarmEmail': true }, 'hopae:alarmEmail', /non-empty string; got true/],
    ['a blank runbookUrl', { 'hopae:runbookUrl': '' }, 'hopae:runbookUrl', /non-empty string/],
    ['refreshOnRotation that does not parse', { 'hopae:refreshOnRotation': '{"a":' }, 'hopae:refreshOnRotation', /must be a JSON object of app to ECS service ARNs, e\.g\. \{/],
    ['refreshOnRotation as a list', { 'hopae:refreshOnRotation': ['hopae/apps/HqTRDIYH'] }, 'hopae:refreshOnRotation', /must be a JSON object/],
    [
      'refreshOnRotation for an app not listed',
      { 'hopae:refreshOnRotation': { 'hopae/apps/other': ['arn:aws:ecs:eu-central-1:123456789012:service/payments/api'] } },
      'hopae:refreshOnRotation',
      /names hopae\/apps\/other, which is not in hopae:appSecrets or hopae:clientIds/,
    ],
    ['refreshOnRotation without services', { 'hopae:refreshOnRotation': { 'hopae/apps/HqTRDIYH': [] } }, 'hopae:refreshOnRotation', /at least one ECS service ARN for hopae\/apps\/HqTRDIYH/],
    [
      'a short service ARN (no cluster)',
      { 'hopae:refreshOnRotation': { 'hopae/apps/HqTRDIYH': ['arn:aws:ecs:eu-central-1:123456789012:service/api'] } },
      'hopae:refreshOnRotation',
      /is not an ECS service ARN with its cluster, arn:aws:ecs:<region>:<account>:service\/<cluster>\/<name>/,
    ],
  ])('rejects %s, naming the context key', (_case, overrides, key, message) => {
    // GIVEN / WHEN / THEN
    expectContextError(overrides, key, message);
  });
});
