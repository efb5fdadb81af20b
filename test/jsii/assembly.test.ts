/**
 * The jsii assembly (.jsii) that `npm run build` compiles from lib/: the API every other language
 * sees. Run by `npm run test:jsii` after `npm run build` (left out of `npm test`: jsii takes about a minute).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HopaeSecretRotationPropsError } from '../../lib/errors';
import type { HopaeSecretRotationProps } from '../../lib/props';
import { validatePropTypes } from '../../lib/validate-prop-types';

const root = join(__dirname, '..', '..');

interface Docs {
  summary?: string;
  default?: string;
  remarks?: string;
}
interface Property {
  name: string;
  docs?: Docs;
  optional?: boolean;
  static?: boolean;
  const?: boolean;
  type: { fqn?: string; primitive?: string; collection?: unknown };
}
interface Method {
  name: string;
  static?: boolean;
}
interface JsiiType {
  kind: 'class' | 'interface' | 'enum';
  fqn: string;
  datatype?: boolean;
  initializer?: unknown;
  properties?: Property[];
  methods?: Method[];
  docs?: Docs;
}
interface Assembly {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  targets: Record<string, Record<string, string>>;
  types: Record<string, JsiiType>;
}

const assembly = JSON.parse(readFileSync(join(root, '.jsii'), 'utf8')) as Assembly;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; peerDependencies: Record<string, string> };
const type = (name: string): JsiiType => {
  const found = assembly.types[`hopae-secret-rotation.${name}`];
  if (!found) throw new Error(`${name} is not in the assembly`);
  return found;
};

describe('the jsii assembly', () => {
  test('is this package, depending only on its peers, with a Python target', () => {
    expect(assembly.name).toBe(pkg.name);
    expect(assembly.version).toBe(pkg.version);
    expect(assembly.dependencies).toEqual(pkg.peerDependencies);
    expect(assembly.targets.python).toEqual({ distName: 'hopae-secret-rotation', module: 'hopae_secret_rotation' });
  });

  test('holds exactly the public API: the construct, its props, the enum-like classes and the building blocks its properties expose', () => {
    expect(Object.keys(assembly.types).map((fqn) => fqn.replace(/^hopae-secret-rotation\./, '')).sort()).toEqual(
      [
        'AuditAlarms',
        'AuditAlarmsProps',
        'AuditSettings',
        'ExistingSecretsManagerEndpointOptions',
        'FleetMonitoring',
        'FleetMonitoringProps',
        'HopaeEnvironment',
        'HopaeRotationSchedule',
        'HopaeSecretRotation',
        'HopaeSecretRotationProps',
        'HopaeServiceRefresh',
        'RotationAlerts',
        'RotationAlertsProps',
        'RotationAudit',
        'RotationAuditProps',
        'RotationDashboard',
        'RotationDashboardProps',
        'SecretsManagerEndpoint',
        'SecretsManagerInterfaceEndpointOptions',
        'ServiceRefresh',
        'ServiceRefreshProps',
        'ServiceRefreshTarget',
      ].sort(),
    );
  });

  test('HopaeSecretRotationProps carries every prop of the TypeScript interface, each documented, each optional one with its default', () => {
    const source = readFileSync(join(root, 'lib', 'props.ts'), 'utf8');
    const interfaceBody = source.slice(source.indexOf('export interface HopaeSecretRotationProps'));
    const declared = [...interfaceBody.matchAll(/^ {2}readonly (\w+)(\??):/gm)].map((m) => ({ name: m[1]!, optional: m[2] === '?' }));
    const props = type('HopaeSecretRotationProps');
    expect(props.datatype).toBe(true);
    expect(props.properties!.map((p) => p.name).sort()).toEqual(declared.map((p) => p.name).sort());
    expect(declared.length).toBeGreaterThanOrEqual(32);
    for (const prop of props.properties!) {
      expect([prop.name, Boolean(prop.docs?.summary)]).toEqual([prop.name, true]);
      if (prop.optional) expect([prop.name, Boolean(prop.docs?.default)]).toEqual([prop.name, true]);
    }
    const byName = Object.fromEntries(props.properties!.map((p) => [p.name, p]));
    expect(byName.environment!.type.fqn).toBe('hopae-secret-rotation.HopaeEnvironment');
    expect(byName.vpc!.type.fqn).toBe('aws-cdk-lib.aws_ec2.IVpc');
    expect(byName.secretsManagerEndpoint!.type.fqn).toBe('hopae-secret-rotation.SecretsManagerEndpoint');
    expect(byName.tracing!.type.fqn).toBe('aws-cdk-lib.aws_lambda.Tracing');
    expect(byName.workspaceKeySecret!.optional).toBeUndefined();
  });

  test('every prop of a primitive, Duration or list type is kind-checked for plain JavaScript callers (validatePropTypes): a new prop cannot be left out', () => {
    // A value of the wrong kind for each such type, as JavaScript passes it.
    const wrongKind = (t: Property['type']): unknown =>
      t.collection ? 'not-a-list' : t.primitive === 'string' ? 12345 : t.primitive === 'number' ? '1' : t.primitive === 'boolean' ? 'yes' : t.fqn === 'aws-cdk-lib.Duration' ? 60 : undefined;
    const checked = type('HopaeSecretRotationProps').properties!.filter((p) => wrongKind(p.type) !== undefined);
    expect(checked.length).toBeGreaterThanOrEqual(25);
    for (const prop of checked) {
      let refused: unknown;
      try {
        validatePropTypes({ [prop.name]: wrongKind(prop.type) } as unknown as HopaeSecretRotationProps);
      } catch (error) {
        refused = error;
      }
      expect([prop.name, refused instanceof HopaeSecretRotationPropsError && refused.prop]).toEqual([prop.name, prop.name]);
    }
  });

  test('no doc summary cuts a code span in two (jsii once ended a summary inside `cron(0 H D * ? *)`, garbling the Python docstring)', () => {
    const cut: string[] = [];
    for (const found of Object.values(assembly.types)) {
      const members = [{ name: found.fqn, docs: found.docs }, ...(found.properties ?? []).map((p) => ({ name: `${found.fqn}.${p.name}`, docs: p.docs }))];
      for (const { name, docs } of members) if ((docs?.summary ?? '').split('`').length % 2 === 0) cut.push(`${name}: ${docs!.summary}`);
    }
    expect(cut).toEqual([]);
  });

  test('HopaeEnvironment is an enum-like class: two constants of its own type, of(name), no public constructor', () => {
    const environment = type('HopaeEnvironment');
    expect(environment.initializer).toBeUndefined();
    const constants = environment.properties!.filter((p) => p.static).map((p) => [p.name, p.type.fqn]);
    expect(constants.sort()).toEqual([
      ['PRODUCTION', 'hopae-secret-rotation.HopaeEnvironment'],
      ['SANDBOX', 'hopae-secret-rotation.HopaeEnvironment'],
    ]);
    expect(environment.methods!.filter((m) => m.static).map((m) => m.name)).toEqual(['of']);
    expect(environment.properties!.filter((p) => !p.static).map((p) => p.name).sort()).toEqual(['apiBaseUrl', 'name']);
  });

  test('the schedule and the endpoint are built by static factories only', () => {
    for (const [name, factories] of [
      ['HopaeRotationSchedule', ['cron', 'rate']],
      ['SecretsManagerEndpoint', ['createInterfaceEndpoint', 'fromInterfaceEndpoint']],
    ] as const) {
      expect(type(name).initializer).toBeUndefined();
      expect(type(name).methods!.filter((m) => m.static).map((m) => m.name).sort()).toEqual([...factories]);
    }
  });

  test('what TypeScript alone keeps: the props error class (a subclass of Error cannot cross to other languages), and no internal module', () => {
    expect(assembly.types['hopae-secret-rotation.HopaeSecretRotationPropsError']).toBeUndefined();
    for (const internal of ['FunctionSettings', 'NetworkPlan', 'EgressProxy', 'RotationRulesPlan', 'SpreadSchedule']) {
      expect(assembly.types[`hopae-secret-rotation.${internal}`]).toBeUndefined();
    }
    // the construct's properties keep their TypeScript names and the alarms map is keyed by string
    expect(type('HopaeSecretRotation').properties!.map((p) => p.name).sort()).toEqual(
      [
        'DEFAULT_RUNBOOK',
        'alerts',
        'apiBaseUrl',
        'appStacks',
        'createdSecrets',
        'logGroup',
        'monitoring',
        'role',
        'rotationFunction',
        'rotationPolicy',
        'rotationSchedules',
        'secrets',
        'serviceRefresh',
      ].sort(),
    );
    expect(type('AuditAlarms').properties!.find((p) => p.name === 'alarms')!.type.collection).toEqual({
      kind: 'map',
      elementtype: { fqn: 'aws-cdk-lib.aws_cloudwatch.Alarm' },
    });
  });
});
