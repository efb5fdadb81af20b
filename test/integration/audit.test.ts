/**
 * The rotation audit from the built bundle against moto_server: it finds the fleet with
 * ListSecrets; rotations driven into stuck, overdue, disabled and scheduled for deletion, the
 * audit's EMF read back, and the construct's alarms evaluated on it.
 */
import { CancelRotateSecretCommand, CreateSecretCommand, DeleteSecretCommand, ListSecretsCommand, RotateSecretCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import type { Template } from 'aws-cdk-lib/assertions';
import { AUDIT_METRICS } from '../../lambda/names';
import { loadBuiltAuditHandler } from '../../local/built-function';
import { UNDEPLOYED_ROTATION_LAMBDA_ARN } from '../../local/rotation-driver';
import { localLambdaContext } from '../../local/lambda-context';
import type { AuditFinding } from '../../lib/audit-alarms';
import { logicalIdOf, synthRotation } from '../cdk/fixtures';
import { emittedMetrics, type EmittedMetric } from '../support/emf';
import { expectNoSecretsLogged, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness({
  env: {
    AUDIT_ROTATION_FUNCTION_ARN: UNDEPLOYED_ROTATION_LAMBDA_ARN,
    AUDIT_ATTACHED_SECRETS: '0',
    HOPAE_STUCK_AFTER_MINUTES: '30',
    AUDIT_OVERDUE_AFTER_HOURS: String(31 * 24 + 2 + 24),
  },
});
const MINUTE = 60_000;

// Only Date moves: the SDK's and the servers' timers stay real.
const TIMERS_KEPT = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;

/** Runs the built audit handler (as its schedule does) as if `later` ms had passed; returns its EMF metrics. */
async function auditLater(laterMs: number): Promise<EmittedMetric[]> {
  return (await auditRun(laterMs)).metrics;
}

async function auditRun(laterMs: number): Promise<{ metrics: EmittedMetric[]; summary: Record<string, number> }> {
  const before = h.output.records().length;
  jest.useFakeTimers({ doNotFake: [...TIMERS_KEPT], now: Date.now() + laterMs });
  let summary: Record<string, number>;
  try {
    summary = (await loadBuiltAuditHandler()({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, localLambdaContext())) as Record<string, number>;
  } finally {
    jest.useRealTimers();
  }
  return { metrics: emittedMetrics(h.output.records().slice(before)), summary };
}

/** Each test starts without the apps of the ones before (the audit sees every secret there is); the workspace key stays. */
async function deleteAllSecrets(): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await h.sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, NextToken: nextToken }));
    for (const secret of page.SecretList ?? []) {
      if (secret.Name !== 'hopae/workspace-key') await h.sm.send(new DeleteSecretCommand({ SecretId: secret.ARN!, ForceDeleteWithoutRecovery: true }));
    }
    nextToken = page.NextToken || undefined;
  } while (nextToken);
}

const total = (metrics: EmittedMetric[], name: string) => metrics.find((m) => m.name === name && !('SecretName' in m.dimensions))?.value;
const perSecret = (metrics: EmittedMetric[], name: string) => metrics.filter((m) => m.name === name && 'SecretName' in m.dimensions).map((m) => m.dimensions.SecretName);

interface AlarmProperties {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: { Name: string; Value: string }[];
  readonly ComparisonOperator: string;
  readonly Threshold: number;
}

/** Whether a template alarm, evaluating one datapoint of `metric`, leaves OK; the alarm must watch exactly that metric. */
function alarmFires(template: Template, alarmId: string, metric: EmittedMetric): boolean {
  const { Namespace, MetricName, Dimensions, ComparisonOperator, Threshold } = template.toJSON().Resources[alarmId].Properties as AlarmProperties;
  expect({ namespace: Namespace, name: MetricName, dimensions: Object.fromEntries(Dimensions.map((d) => [d.Name, d.Value])) }).toEqual({
    namespace: metric.namespace,
    name: metric.name,
    dimensions: metric.dimensions,
  });
  const value = metric.value as number;
  const compare: Record<string, (v: number) => boolean> = {
    GreaterThanOrEqualToThreshold: (v) => v >= Threshold,
    GreaterThanThreshold: (v) => v > Threshold,
    LessThanThreshold: (v) => v < Threshold,
    LessThanOrEqualToThreshold: (v) => v <= Threshold,
  };
  return compare[ComparisonOperator]!(value);
}

describe('the rotation audit', () => {
  let template: Template;
  let alarmIds: Record<AuditFinding, string>;
  beforeEach(deleteAllSecrets);
  beforeAll(() => {
    const synth = synthRotation();
    template = synth.template;
    const alarms = synth.rotation.monitoring.alarms.alarms;
    alarmIds = {
      stuck: logicalIdOf(alarms.stuck),
      overdue: logicalIdOf(alarms.overdue),
      disabled: logicalIdOf(alarms.disabled),
      deletionScheduled: logicalIdOf(alarms.deletionScheduled),
      unreadable: logicalIdOf(alarms.unreadable),
    };
  });

  /** The EMF totals for the finding, and whether the construct's alarm on it fires. */
  function expectFinding(metrics: EmittedMetric[], finding: AuditFinding, secretName: string | undefined): void {
    const totalMetric = metrics.find((m) => m.name === AUDIT_METRICS[finding] && !('SecretName' in m.dimensions))!;
    expect(totalMetric.value).toBe(secretName ? 1 : 0);
    expect(perSecret(metrics, AUDIT_METRICS[finding])).toEqual(secretName ? [secretName] : []);
    expect(alarmFires(template, alarmIds[finding], totalMetric)).toBe(secretName !== undefined);
  }

  it('calls a rotation stopped after createSecret stuck once the pending version is older than 30 minutes', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn);
    const token = await h.begin(arn);
    const [created] = await h.run(arn, token, ['createSecret']);
    expect(created!.error).toBeUndefined();

    const early = await auditLater(29 * MINUTE);
    const late = await auditLater(31 * MINUTE);

    expectFinding(early, 'stuck', undefined);
    expectFinding(late, 'stuck', `hopae/apps/${clientId}`);
    expectFinding(late, 'disabled', undefined);
    expect(total(late, AUDIT_METRICS.audited)).toBe(1);
  });

  it('does not call a finished rotation stuck (AWSPENDING stays on AWSCURRENT) and calls it overdue after schedule + window + grace', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn);

    const withinSchedule = await auditLater(30 * 24 * 60 * MINUTE);
    const pastGrace = await auditLater((31 * 24 + 2 + 24 + 1) * 60 * MINUTE);

    expectFinding(withinSchedule, 'stuck', undefined);
    expectFinding(withinSchedule, 'overdue', undefined);
    expectFinding(pastGrace, 'overdue', `hopae/apps/${clientId}`);
    expectFinding(pastGrace, 'stuck', undefined);
  });

  it('calls a secret whose rotation was turned off disabled', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn);
    const enabled = await auditLater(0);
    await h.sm.send(new CancelRotateSecretCommand({ SecretId: arn }));

    const disabled = await auditLater(0);

    expectFinding(enabled, 'disabled', undefined);
    expectFinding(disabled, 'disabled', `hopae/apps/${clientId}`);
  });

  it('reports a secret scheduled for deletion while it can be restored', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn);
    await h.sm.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));

    const metrics = await auditLater(0);

    expectFinding(metrics, 'deletionScheduled', `hopae/apps/${clientId}`);
    expect(total(metrics, AUDIT_METRICS.audited)).toBe(1);
  });

  it('audits only the secrets whose rotation function is this one, however they were attached', async () => {
    const ours = await h.createApp();
    await h.rotate(ours.arn);
    const theirs = await h.createApp();
    try {
      // attached to another function (as from the console): moto starts it and fails to find that function
      await h.sm.send(new RotateSecretCommand({ SecretId: theirs.arn, RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:other', RotationRules: { AutomaticallyAfterDays: 30 } }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await h.sm.send(new CreateSecretCommand({ Name: 'unrelated/secret', SecretString: 'x' }));

    const { metrics, summary } = await auditRun(0);

    expect(total(metrics, AUDIT_METRICS.audited)).toBe(1);
    expect(summary).toMatchObject({ audited: 1, listSecretsCalls: 1 });
  });

  it('pages through a fleet of 105 secrets with ListSecrets and asks for versions only where a rotation is pending', async () => {
    // Every 50th secret has a value, so moto's RotateSecret leaves a pending version beside AWSCURRENT;
    // the others have no version yet, so nothing is pending.
    const attach = async (i: number) => {
      const name = `hopae/apps/Fleet${String(i).padStart(4, '0')}`;
      const { ARN } = await h.sm.send(new CreateSecretCommand({ Name: name, ...(i % 50 === 0 ? { SecretString: '{}' } : {}) }));
      try {
        await h.sm.send(new RotateSecretCommand({ SecretId: ARN!, RotationLambdaARN: UNDEPLOYED_ROTATION_LAMBDA_ARN, RotationRules: { AutomaticallyAfterDays: 30 } }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    };
    for (let i = 0; i < 105; i += 15) await Promise.all(Array.from({ length: Math.min(15, 105 - i) }, (_, j) => attach(i + j)));

    const { metrics, summary } = await auditRun(0);

    expect(total(metrics, AUDIT_METRICS.audited)).toBe(105);
    expect(summary.listSecretsCalls).toBe(2);
    expect(summary.listSecretVersionIdsCalls).toBe(3);
  });

  it('logs no secret, workspace key or RotationToken', () => {
    expectNoSecretsLogged(h);
  });
});
