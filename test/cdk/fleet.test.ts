/** The fleet features of the construct: spread schedules, the rotation audit, its alarms and the dashboard. */
import { CfnResource, Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { emitAuditMetrics } from '../../lambda/audit/audit-metrics';
import { ROTATION_STEPS } from '../../lambda/event';
import { PowertoolsRotationMetrics } from '../../lambda/metrics';
import { AUDIT_ENV, AUDIT_LOG_MESSAGES, AUDIT_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/names';
import { HopaeRotationSchedule, HopaeSecretRotation } from '../../lib';
import { spreadScheduleForKey } from '../../lib/schedule-spread';

const DEFAULT_RUNBOOK = HopaeSecretRotation.DEFAULT_RUNBOOK;
import { OutputCapture } from '../support/capture-output';
import { emittedMetrics } from '../support/emf';
import { ACCOUNT, allIdentityStatements, appWithoutBundling, asList, identityPolicyStatements, logicalIdOf, REGION, refTo, synthRotation, testStack } from './fixtures';

const CLIENT_IDS = Array.from({ length: 24 }, (_, i) => `App${String(i).padStart(5, '0')}`);

/** Each rotation schedule's rules, by the secret it rotates. */
function rulesBySecret(template: Template): Record<string, { ScheduleExpression: string; Duration?: string }> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::SecretsManager::RotationSchedule')).map((s) => [JSON.stringify(s.Properties.SecretId), s.Properties.RotationRules]),
  );
}

describe('spread schedules', () => {
  // One synth per configuration, shared by the tests that read it.
  let fleet: ReturnType<typeof synthRotation>;
  beforeAll(() => {
    fleet = synthRotation({ appSecrets: [], clientIds: CLIENT_IDS });
  });

  test('24 clientIds get at least 6 distinct monthly start times, each with a 2-hour window inside the UTC day', () => {
    const rules = Object.values(rulesBySecret(fleet.apps));
    expect(rules).toHaveLength(24);
    expect(new Set(rules.map((r) => r.ScheduleExpression)).size).toBeGreaterThanOrEqual(6);
    for (const rule of rules) {
      const [, hour, day] = /^cron\(0 (\d{1,2}) (\d{1,2}) \* \? \*\)$/.exec(rule.ScheduleExpression)!.map(Number);
      expect(day).toBeGreaterThanOrEqual(1);
      expect(day).toBeLessThanOrEqual(28);
      expect(hour! + 2).toBeLessThanOrEqual(24);
      expect(rule.Duration).toBe('2h');
    }
  });

  test('hashes each created secret\'s name, as an imported secret of that name would be', () => {
    const rules = rulesBySecret(fleet.apps);
    for (const clientId of CLIENT_IDS) {
      const secretRef = JSON.stringify(refTo(fleet.rotation.createdSecrets[clientId]!));
      expect(rules[secretRef]!.ScheduleExpression).toBe(spreadScheduleForKey(`hopae/apps/${clientId}`).schedule.expressionString);
    }
  });

  test('gives each secret the same expression in another synth, whatever the order of clientIds', () => {
    const again = synthRotation({ appSecrets: [], clientIds: [...CLIENT_IDS].reverse() }, testStack(appWithoutBundling()));
    expect(rulesBySecret(again.apps)).toEqual(rulesBySecret(fleet.apps));
  });

  test('hashes a secret whose name is only known at deploy time by its construct path, stably', () => {
    const build = () =>
      synthRotation((stack) => ({ appSecrets: [new Secret(stack, 'Generated', { secretObjectValue: {} })] }), testStack(appWithoutBundling())).apps;
    const first = rulesBySecret(build());
    expect(Object.values(first)[0]!.ScheduleExpression).toMatch(/^cron\(0 \d{1,2} \d{1,2} \* \? \*\)$/);
    expect(rulesBySecret(build())).toEqual(first);
  });

  test('fits a given rotationWindow: start hour + window stays inside the day', () => {
    const { apps } = synthRotation({ appSecrets: [], clientIds: CLIENT_IDS, rotationWindow: Duration.hours(6) });
    for (const rule of Object.values(rulesBySecret(apps))) {
      expect(rule.Duration).toBe('6h');
      expect(Number(/^cron\(0 (\d+) /.exec(rule.ScheduleExpression)![1]) + 6).toBeLessThanOrEqual(24);
    }
  });

  test('an explicit schedule wins, with its window', () => {
    const { apps } = synthRotation({ schedule: HopaeRotationSchedule.cron('cron(0 4 ? * SUN *)'), rotationWindow: Duration.hours(3) });
    expect(Object.values(rulesBySecret(apps))).toEqual([
      { ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' },
      { ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' },
    ]);
  });

  test('spreadSchedules: false falls back to every 30 days', () => {
    const { apps } = synthRotation({ spreadSchedules: false });
    expect(Object.values(rulesBySecret(apps))).toEqual([{ ScheduleExpression: 'rate(30 days)' }, { ScheduleExpression: 'rate(30 days)' }]);
  });
});

describe('spreadScheduleForKey', () => {
  test('keeps 1,000 names within days 1–28 and start hours 0–22, using most of the 644 slots', () => {
    const slots = Array.from({ length: 1000 }, (_, i) => spreadScheduleForKey(`hopae/apps/App${i}`));
    for (const { day, hour } of slots) {
      expect(day).toBeGreaterThanOrEqual(1);
      expect(day).toBeLessThanOrEqual(28);
      expect(hour).toBeGreaterThanOrEqual(0);
      expect(hour).toBeLessThanOrEqual(22);
    }
    expect(new Set(slots.map((s) => `${s.day} ${s.hour}`)).size).toBeGreaterThan(400);
  });

  test('rejects a window that is not whole hours, as an explicit schedule\'s', () => {
    expect(() => spreadScheduleForKey('x', Duration.minutes(90))).toThrow(/rotationWindow must be whole hours from 1 to 24/);
  });
});

describe('HopaeRotationSchedule.longestInterval (the audit\'s overdue base)', () => {
  test.each([
    ['rate(6 hours)', HopaeRotationSchedule.rate(Duration.hours(6)), Duration.hours(6)],
    ['rate(30 days)', HopaeRotationSchedule.rate(Duration.days(30)), Duration.days(30)],
    ['daily', HopaeRotationSchedule.cron('cron(0 4 * * ? *)'), Duration.days(1)],
    ['weekly', HopaeRotationSchedule.cron('cron(0 4 ? * TUE *)'), Duration.days(7)],
    ['monthly on the 28th', HopaeRotationSchedule.cron('cron(0 4 28 * ? *)'), Duration.days(31)],
  ])('%s', (_case, schedule, interval) => {
    expect(schedule.longestInterval?.toMinutes()).toBe(interval.toMinutes());
  });

  test.each([['every other day', 'cron(0 4 1/2 * ? *)'], ['the 31st', 'cron(0 4 31 * ? *)'], ['two hours', 'cron(0 4,16 * * ? *)'], ['some months', 'cron(0 4 1 1,7 ? *)']])(
    'is unknown for %s',
    (_case, expression) => {
      expect(HopaeRotationSchedule.cron(expression).longestInterval).toBeUndefined();
    },
  );
});

describe('rotation audit', () => {
  let synth: ReturnType<typeof synthRotation>;
  let auditFunctionId: string;
  let auditRoleId: string;
  beforeAll(() => {
    synth = synthRotation();
    auditFunctionId = logicalIdOf(synth.rotation.monitoring.audit.auditFunction);
    auditRoleId = logicalIdOf(synth.rotation.monitoring.audit.role);
  });
  const resource = (id: string) => synth.template.toJSON().Resources[id];

  test('is a second handler of the same asset, with its own log group and the thresholds in its environment', () => {
    const audit = resource(auditFunctionId).Properties;
    const rotation = resource(synth.functionLogicalId).Properties;
    expect(audit.Handler).toBe('index.auditHandler');
    expect(audit.Code).toEqual(rotation.Code);
    expect(audit.Runtime).toBe(rotation.Runtime);
    expect(audit.LoggingConfig.LogGroup).toEqual(refTo(synth.rotation.monitoring.audit.logGroup));
    expect(audit.LoggingConfig.LogGroup).not.toEqual(rotation.LoggingConfig.LogGroup);
    expect(audit.Role).toEqual({ 'Fn::GetAtt': [auditRoleId, 'Arn'] });
    // 31 days (a monthly spread) + 2 h window + 1 day grace
    expect(audit.Environment.Variables).toMatchObject({
      [AUDIT_ENV.stuckAfterMinutes]: '30',
      [AUDIT_ENV.overdueAfterHours]: String(31 * 24 + 2 + 24),
      // a secret that never rotated: its first scheduled rotation + 2 h window + 1 day grace
      [AUDIT_ENV.overdueAfterScheduledHours]: String(2 + 24),
    });
  });

  test('may only list secrets and read the versions of those the rotation function rotates, and write its log group: never GetSecretValue', () => {
    const statements = identityPolicyStatements(synth.template, auditRoleId);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalIdOf(synth.rotation.monitoring.audit.logGroup), 'Arn'] } },
      // ListSecrets takes no resource (Service Authorization Reference): metadata of the account's secrets, never a value
      { Sid: 'FindTheFleet', Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' },
      {
        Sid: 'ReadVersionsOfSecretsOfTheRotationFunction',
        Effect: 'Allow',
        Action: 'secretsmanager:ListSecretVersionIds',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:*`]] },
        Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': { 'Fn::GetAtt': [synth.functionLogicalId, 'Arn'] } } },
      },
    ]);
    expect(statements.flatMap((s) => asList(s.Action))).not.toContain('secretsmanager:GetSecretValue');
    // and only the rotation role holds GetSecretValue anywhere in the template
    const readers = Object.values(synth.template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'))
      .map((p) => p.Properties.Roles);
    expect(readers).toEqual([[{ Ref: synth.roleLogicalId }], [{ Ref: synth.roleLogicalId }]]);
    // the only statement on Resource * is ListSecrets, which has no resource-level permissions
    expect(allIdentityStatements(synth.template).filter((s) => asList(s.Resource).includes('*'))).toEqual([expect.objectContaining({ Action: 'secretsmanager:ListSecrets' })]);
  });

  test('runs hourly on one rule without input: it finds the fleet itself, whose size changes nothing here', () => {
    const rules = Object.values(synth.template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties).toMatchObject({ ScheduleExpression: 'rate(1 hour)', Targets: [{ Arn: { 'Fn::GetAtt': [auditFunctionId, 'Arn'] } }] });
    expect(rules[0]!.Properties.Targets[0].Input).toBeUndefined();
    expect(resource(auditFunctionId).Properties.Environment.Variables).toMatchObject({
      [AUDIT_ENV.rotationFunctionArn]: { 'Fn::GetAtt': [synth.functionLogicalId, 'Arn'] },
      [AUDIT_ENV.attachedSecrets]: '2',
    });
  });

  test('takes its interval and thresholds from props', () => {
    const { template, rotation } = synthRotation({
      auditInterval: Duration.minutes(15),
      stuckAfter: Duration.minutes(45),
      schedule: HopaeRotationSchedule.cron('cron(0 4 ? * SUN *)'),
      rotationWindow: Duration.hours(3),
      overdueGrace: Duration.hours(12),
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.auditHandler',
      Environment: {
        Variables: Match.objectLike({
          [AUDIT_ENV.stuckAfterMinutes]: '45',
          [AUDIT_ENV.overdueAfterHours]: String(7 * 24 + 3 + 12),
          [AUDIT_ENV.overdueAfterScheduledHours]: String(3 + 12),
        }),
      },
    });
    expect(template.toJSON().Resources[logicalIdOf(rotation.monitoring.alarms.alarms.stuck)].Properties.Period).toBe(900);
  });

  test('asks for overdueAfter when the schedule does not tell its longest interval, before creating anything', () => {
    const stack = testStack();
    expect(() => synthRotation({ schedule: HopaeRotationSchedule.cron('cron(0 4 1/2 * ? *)') }, stack)).toThrow(
      /overdueAfter is required with this schedule.*give overdueAfter/,
    );
    expect(stack.node.tryFindChild('Rotation')?.node.findAll().filter((c) => CfnResource.isCfnResource(c)) ?? []).toEqual([]);
    expect(() => synthRotation({ schedule: HopaeRotationSchedule.cron('cron(0 4 1/2 * ? *)'), overdueAfter: Duration.days(3) })).not.toThrow();
  });

  test.each([
    ['auditInterval', { auditInterval: Duration.minutes(1) }, /auditInterval must be between 5 minutes and 1 day/],
    ['stuckAfter', { stuckAfter: Duration.days(8) }, /stuckAfter must be between 5 minutes and 7 days/],
  ])('rejects an out-of-range %s', (_prop, props, message) => {
    expect(() => synthRotation(props)).toThrow(message);
  });

});

describe('audit alarms', () => {
  let synth: ReturnType<typeof synthRotation>;
  beforeAll(() => {
    synth = synthRotation({ runbookUrl: 'https://wiki.example.com/hopae' });
  });

  test.each(['stuck', 'overdue', 'disabled', 'deletionScheduled', 'unreadable'] as const)('alarms on the fleet total of %s secrets, to the topic, naming where to find the secret', (finding) => {
    const alarm = synth.template.toJSON().Resources[logicalIdOf(synth.rotation.monitoring.alarms.alarms[finding])].Properties;
    const topic = refTo(synth.rotation.alerts.topic);
    expect(alarm).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: AUDIT_METRICS[finding],
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    const description = JSON.stringify(alarm.AlarmDescription);
    expect(description).toContain(logicalIdOf(synth.rotation.monitoring.audit.logGroup));
    expect(description).toContain(finding === 'unreadable' ? AUDIT_LOG_MESSAGES.unreadable : AUDIT_LOG_MESSAGES.attention);
    expect(description).toContain('https://wiki.example.com/hopae');
  });

  test.each(['stuck', 'overdue', 'disabled', 'deletionScheduled', 'unreadable'] as const)('keeps the %s description within CloudWatch\'s 1,024 characters with the default runbook', (finding) => {
    const { template, rotation } = synthRotation();
    const description = template.toJSON().Resources[logicalIdOf(rotation.monitoring.alarms.alarms[finding])].Properties.AlarmDescription as { 'Fn::Join': [string, unknown[]] };
    // The log group's name (a token here) is at most ~100 characters once deployed.
    const rendered = description['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'x'.repeat(100))).join('');
    expect(rendered).toContain(DEFAULT_RUNBOOK);
    expect(rendered.length).toBeLessThanOrEqual(1024);
  });

  test('alarms when the audit completes no run for two periods', () => {
    expect(synth.template.toJSON().Resources[logicalIdOf(synth.rotation.monitoring.alarms.auditMissingAlarm)].Properties).toMatchObject({
      MetricName: AUDIT_METRICS.completed,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
    });
  });
});

/** The metrics a dashboard body references: [namespace, name, dimension, value, ..., options?] entries. */
function dashboardMetrics(template: Template): { namespace: string; name: string; dimensions: Record<string, string> }[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  const widgets = (JSON.parse(text) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
  return widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((entry) => {
      const [namespace, name, ...rest] = entry.filter((part) => typeof part === 'string') as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i]!] = rest[i + 1]!;
      return { namespace: namespace!, name: name!, dimensions };
    }),
  );
}

describe('dashboard', () => {
  const output = new OutputCapture();
  afterEach(() => output.stop());

  /** What the function and the audit emit, from their own code: every rotation metric call and every audit finding. */
  function emittedByTheCode() {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    output.start();
    for (const step of [...ROTATION_STEPS, 'unknown' as const]) {
      const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
      const rotation = new PowertoolsRotationMetrics(metrics);
      rotation.hopaeRetry('rotate', true);
      rotation.idempotentReplay();
      if (step === 'unknown') rotation.stepFailed(step, 'INVALID_EVENT', 1, 'hopae/apps/a');
      else {
        rotation.stepSucceeded(step, 'finished', 1, 'hopae/apps/a');
        rotation.stepFailed(step, 'HOPAE_UNAVAILABLE', 1, 'hopae/apps/a');
      }
      metrics.publishStoredMetrics();
    }
    const audit = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    emitAuditMetrics(audit, [{ secretName: 'hopae/apps/a', findings: { stuck: true, overdue: true, disabled: true, deletionScheduled: true } }, { secretName: 'hopae/apps/b', unreadable: 'x' }]);
    audit.publishStoredMetrics();
    output.stop();
    return emittedMetrics(output.records());
  }

  test('is in the template by default, and every metric of ours it shows is one the code emits', () => {
    const { template } = synthRotation();
    const shown = dashboardMetrics(template);
    const ours = shown.filter((m) => m.namespace === METRICS_NAMESPACE);
    expect(ours.length).toBeGreaterThan(20);
    const emitted = emittedByTheCode().map((m) => JSON.stringify({ namespace: m.namespace, name: m.name, dimensions: sortKeys(m.dimensions) }));
    const missing = ours.filter((m) => !emitted.includes(JSON.stringify({ namespace: m.namespace, name: m.name, dimensions: sortKeys(m.dimensions) })));
    expect(missing).toEqual([]);
    // and the functions' own health
    expect(shown.filter((m) => m.namespace === 'AWS/Lambda').map((m) => m.name).sort()).toEqual(['Errors', 'Errors', 'Throttles', 'Throttles']);
  });

  test('the check above catches a metric the code does not emit', () => {
    const emitted = emittedByTheCode().map((m) => m.name);
    expect(emitted).not.toContain('RotationsSucceeded');
    expect(emitted).toEqual(expect.arrayContaining(['StepSucceeded', 'HopaeThrottles', AUDIT_METRICS.stuck]));
  });

  test('is left out with dashboard: false', () => {
    const { template } = synthRotation({ dashboard: false });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});

function sortKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

