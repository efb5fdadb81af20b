import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppContextError, readAppContext } from '../../bin/context';

type Context = Record<string, unknown>;

const VALID: Context = {
  'hopae:environment': 'sandbox',
  'hopae:workspaceKeySecret': 'hopae/workspace-key',
  'hopae:appSecrets': ['hopae/apps/HqTRDIYH'],
  'hopae:rotationDays': 30,
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
  test('reads the defaults committed in cdk.json', () => {
    // GIVEN the context block of cdk.json
    const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { app: string; context: Context };

    // WHEN
    const context = readAppContext((key) => cdkJson.context[key]);

    // THEN
    expect(cdkJson.app).toBe('npx tsx bin/app.ts');
    expect(context).toEqual({
      stackName: 'HopaeSecretRotation',
      environment: 'sandbox',
      workspaceKeySecret: 'hopae/workspace-key',
      appSecrets: ['hopae/apps/HqTRDIYH'],
      rotationDays: 30,
    });
  });

  test('names the production stack apart from the sandbox one', () => {
    // GIVEN / WHEN / THEN
    expect(read({ 'hopae:environment': 'production' })).toMatchObject({
      environment: 'production',
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
    ['nothing', undefined, 30],
  ])('reads rotationDays from %s', (_case, rotationDays, expected) => {
    // GIVEN / WHEN / THEN
    expect(read({ 'hopae:rotationDays': rotationDays }).rotationDays).toBe(expected);
  });

  test.each([
    ['an unknown environment', { 'hopae:environment': 'staging' }, 'hopae:environment', /'sandbox' or 'production'; got "staging"/],
    ['a missing environment', { 'hopae:environment': undefined }, 'hopae:environment', /got nothing/],
    ['a missing workspace key secret', { 'hopae:workspaceKeySecret': undefined }, 'hopae:workspaceKeySecret', /name or ARN/],
    ['a blank workspace key secret', { 'hopae:workspaceKeySecret': '  ' }, 'hopae:workspaceKeySecret', /name or ARN/],
    ['missing app secrets', { 'hopae:appSecrets': undefined }, 'hopae:appSecrets', /JSON array or a comma-separated list/],
    ['an empty app secrets array', { 'hopae:appSecrets': [] }, 'hopae:appSecrets', /at least one/],
    ['an empty entry in the list', { 'hopae:appSecrets': 'a,,b' }, 'hopae:appSecrets', /non-empty/],
    ['a non-string entry', { 'hopae:appSecrets': ['a', 42] }, 'hopae:appSecrets', /non-empty secret names or ARNs; got 42/],
    ['broken JSON', { 'hopae:appSecrets': '["a",' }, 'hopae:appSecrets', /does not parse/],
    ['a duplicate secret', { 'hopae:appSecrets': 'a,b,a' }, 'hopae:appSecrets', /lists a more than once/],
    ['zero days', { 'hopae:rotationDays': 0 }, 'hopae:rotationDays', /from 1 to 1000/],
    ['1001 days', { 'hopae:rotationDays': '1001' }, 'hopae:rotationDays', /from 1 to 1000/],
    ['fractional days', { 'hopae:rotationDays': 1.5 }, 'hopae:rotationDays', /whole number/],
    ['a non-numeric string', { 'hopae:rotationDays': '30d' }, 'hopae:rotationDays', /got "30d"/],
  ])('rejects %s, naming the context key', (_case, overrides, key, message) => {
    // GIVEN / WHEN / THEN
    expectContextError(overrides, key, message);
  });
});
