/**
 * The rotation audit from the built bundle against moto_server: rotations driven into stuck,
 * overdue and disabled, the audit's EMF read back, and the construct's alarms evaluated on it.
 */
import { CancelRotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Template } from 'aws-cdk-lib/assertions';
import { AUDIT_METRICS } from '../../lambda/names';
import { loadBuiltAuditHandler } from '../../local/built-function';
import { localLambdaContext } from '../../local/lambda-context';
import type { AuditFinding } from '../../lib';
import { logicalIdOf, synthRotation } from '../cdk/fixtures';
import { emittedMetrics, type EmittedMetric } from '../support/emf';
import { expectNoSecretsLogged, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness({ env: { AUDIT_STUCK_AFTER_MINUTES: '30', AUDIT_OVERDUE_AFTER_HOURS: String(31 * 24 + 2 + 24) } });
const MINUTE = 60_000;

// Only Date moves: the SDK's and the servers' timers stay real.
const TIMERS_KEPT = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;

/** Runs the built audit handler for the secrets as if `later` ms had passed; returns its EMF metrics. */
async function auditLater(secretIds: string[], laterMs: number): Promise<EmittedMetric[]> {
  const before = h.output.records().length;
  jest.useFakeTimers({ doNotFake: [...TIMERS_KEPT], now: Date.now() + laterMs });
  try {
    await loadBuiltAuditHandler()({ secretIds }, localLambdaContext());
  } finally {
    jest.useRealTimers();
  }
  return emittedMetrics(h.output.records().slice(before));
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

    const early = await auditLater([arn], 29 * MINUTE);
    const late = await auditLater([arn], 31 * MINUTE);

    expectFinding(early, 'stuck', undefined);
    expectFinding(late, 'stuck', `hopae/apps/${clientId}`);
    expectFinding(late, 'disabled', undefined);
    expect(total(late, AUDIT_METRICS.audited)).toBe(1);
  });

  it('does not call a finished rotation stuck (AWSPENDING stays on AWSCURRENT) and calls it overdue after schedule + window + grace', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn);

    const withinSchedule = await auditLater([arn], 30 * 24 * 60 * MINUTE);
    const pastGrace = await auditLater([arn], (31 * 24 + 2 + 24 + 1) * 60 * MINUTE);

    expectFinding(withinSchedule, 'stuck', undefined);
    expectFinding(withinSchedule, 'overdue', undefined);
    expectFinding(pastGrace, 'overdue', `hopae/apps/${clientId}`);
    expectFinding(pastGrace, 'stuck', undefined);
  });

  it('calls a secret whose rotation was turned off disabled', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn);
    const enabled = await auditLater([arn], 0);
    await h.sm.send(new CancelRotateSecretCommand({ SecretId: arn }));

    const disabled = await auditLater([arn], 0);

    expectFinding(enabled, 'disabled', undefined);
    expectFinding(disabled, 'disabled', `hopae/apps/${clientId}`);
  });

  it('reports a secret it cannot read, and still audits the others', async () => {
    const { arn } = await h.createApp();
    await h.rotate(arn);

    const metrics = await auditLater(['hopae/apps/deleted-long-ago', arn], 0);

    expectFinding(metrics, 'unreadable', 'hopae/apps/deleted-long-ago');
    expect(total(metrics, AUDIT_METRICS.audited)).toBe(2);
  });

  it('logs no secret, workspace key or RotationToken', () => {
    expectNoSecretsLogged(h);
  });
});
