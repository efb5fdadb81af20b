import { Metrics } from '@aws-lambda-powertools/metrics';
import { Logger } from '@aws-lambda-powertools/logger';
import { DescribeSecretCommand, ListSecretVersionIdsCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { assessSecret } from '../../lambda/audit/assess';
import { auditSecrets } from '../../lambda/audit/audit';
import { emitAuditMetrics } from '../../lambda/audit/audit-metrics';
import { DEFAULT_OVERDUE_AFTER_HOURS, DEFAULT_OVERDUE_AFTER_SCHEDULED_HOURS, DEFAULT_STUCK_AFTER_MINUTES, loadAuditThresholds, parseAuditEvent } from '../../lambda/audit/config';
import { createAuditHandler } from '../../lambda/audit/handler';
import { AUDIT_LOG_MESSAGES, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/names';
import { localLambdaContext } from '../../local/lambda-context';
import { captureEmfOutput, emittedMetrics } from '../support/emf';
import { MemoryLogger } from '../support/silent-logger';

const NOW = new Date('2026-11-27T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const THRESHOLDS = { stuckAfterMs: 30 * 60_000, overdueAfterMs: 33 * 24 * 3_600_000, overdueAfterScheduledMs: 2 * 24 * 3_600_000 };
const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf';
const HEALTHY = {
  RotationEnabled: true,
  LastRotatedDate: minutesAgo(60 * 24),
  CreatedDate: minutesAgo(60 * 24 * 90),
  VersionIdsToStages: { v2: ['AWSCURRENT', 'AWSPENDING'], v1: ['AWSPREVIOUS'] },
};

describe('assessSecret', () => {
  it('finds nothing wrong with a secret rotated yesterday whose AWSPENDING sits on AWSCURRENT (a finished rotation)', () => {
    expect(assessSecret(HEALTHY, [{ VersionId: 'v2', CreatedDate: minutesAgo(60 * 24) }], THRESHOLDS, NOW)).toMatchObject({
      stuck: false,
      overdue: false,
      disabled: false,
      hoursSinceRotation: 24,
    });
  });

  it.each([
    [29, false],
    [31, true],
  ])('a pending version apart from AWSCURRENT created %i minutes ago: stuck %s', (age, stuck) => {
    const described = { ...HEALTHY, VersionIdsToStages: { v1: ['AWSCURRENT'], tok: ['AWSPENDING'] } };
    const findings = assessSecret(described, [{ VersionId: 'tok', CreatedDate: minutesAgo(age) }], THRESHOLDS, NOW);
    expect(findings).toMatchObject({ stuck, pendingForMinutes: age });
  });

  it('does not call a pending version without a CreatedDate stuck: its age is unknown (the secret turns overdue in time)', () => {
    // An adopted secret last changed months ago: dating the pending version by LastChangedDate made it "stuck" at once.
    const described = { ...HEALTHY, LastChangedDate: minutesAgo(60 * 24 * 200), VersionIdsToStages: { v1: ['AWSCURRENT'], tok: ['AWSPENDING'] } };
    const findings = assessSecret(described, [{ VersionId: 'tok' }], THRESHOLDS, NOW);
    expect(findings).toMatchObject({ stuck: false, pendingAgeUnknown: true });
    expect(findings.pendingForMinutes).toBeUndefined();
  });

  it('reports a secret scheduled for deletion while it can still be restored', () => {
    const findings = assessSecret({ ...HEALTHY, DeletedDate: minutesAgo(60) }, [], THRESHOLDS, NOW);
    expect(findings).toMatchObject({ deletionScheduled: true, stuck: false, overdue: false, disabled: false });
    expect(assessSecret(HEALTHY, [], THRESHOLDS, NOW).deletionScheduled).toBe(false);
  });

  it('measures an adopted secret that never rotated from its first scheduled rotation, not from its creation', () => {
    // Created 200 days ago, rotation attached yesterday without rotating: the first rotation is due in 29 days.
    const adopted = { ...HEALTHY, LastRotatedDate: undefined, CreatedDate: minutesAgo(60 * 24 * 200), NextRotationDate: minutesAgo(-60 * 24 * 29) };
    expect(assessSecret(adopted, [], THRESHOLDS, NOW).overdue).toBe(false);
    // Its scheduled rotation is past by more than window + grace: overdue.
    const slackMinutes = THRESHOLDS.overdueAfterScheduledMs / 60_000;
    expect(assessSecret({ ...adopted, NextRotationDate: minutesAgo(slackMinutes - 1) }, [], THRESHOLDS, NOW).overdue).toBe(false);
    expect(assessSecret({ ...adopted, NextRotationDate: minutesAgo(slackMinutes + 1) }, [], THRESHOLDS, NOW).overdue).toBe(true);
  });

  it('without a NextRotationDate, measures a secret that never rotated from its last change (when rotation was turned on), not its creation', () => {
    const threshold = THRESHOLDS.overdueAfterMs / 60_000;
    const adopted = { ...HEALTHY, LastRotatedDate: undefined, CreatedDate: minutesAgo(60 * 24 * 200), LastChangedDate: minutesAgo(threshold - 1) };
    expect(assessSecret(adopted, [], THRESHOLDS, NOW).overdue).toBe(false);
    expect(assessSecret({ ...adopted, LastChangedDate: minutesAgo(threshold + 1) }, [], THRESHOLDS, NOW).overdue).toBe(true);
  });

  it('is overdue past the threshold since the last rotation, or since creation when never rotated', () => {
    const threshold = THRESHOLDS.overdueAfterMs / 60_000;
    expect(assessSecret({ ...HEALTHY, LastRotatedDate: minutesAgo(threshold - 1) }, [], THRESHOLDS, NOW).overdue).toBe(false);
    expect(assessSecret({ ...HEALTHY, LastRotatedDate: minutesAgo(threshold + 1) }, [], THRESHOLDS, NOW).overdue).toBe(true);
    expect(assessSecret({ ...HEALTHY, LastRotatedDate: undefined, CreatedDate: minutesAgo(threshold + 1) }, [], THRESHOLDS, NOW).overdue).toBe(true);
  });

  it.each([
    [false, true],
    [undefined, true],
    [true, false],
  ])('RotationEnabled %s: disabled %s (Secrets Manager omits it when never enabled)', (enabled, disabled) => {
    expect(assessSecret({ ...HEALTHY, RotationEnabled: enabled }, [], THRESHOLDS, NOW).disabled).toBe(disabled);
  });
});

describe('auditSecrets', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it('reads only metadata, judges every secret, and names the ones needing attention in the log', async () => {
    sm.on(DescribeSecretCommand, { SecretId: ARN }).resolves({ ...HEALTHY, Name: 'hopae/apps/HqTRDIYH', RotationEnabled: false });
    sm.on(DescribeSecretCommand, { SecretId: 'hopae/apps/ok' }).resolves({ ...HEALTHY, Name: 'hopae/apps/ok' });
    sm.on(DescribeSecretCommand, { SecretId: 'hopae/apps/gone' }).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    sm.on(ListSecretVersionIdsCommand).resolves({ Versions: [] });
    sm.on(ListSecretVersionIdsCommand, { SecretId: ARN }).resolvesOnce({ Versions: [{ VersionId: 'v1' }], NextToken: 'n' }).resolves({ Versions: [{ VersionId: 'v2' }] });
    const logger = new MemoryLogger();

    const audits = await auditSecrets({ secretsManager: new SecretsManagerClient({}), logger, now: () => NOW }, [ARN, 'hopae/apps/ok', 'hopae/apps/gone'], THRESHOLDS);

    expect(audits).toEqual([
      { secretName: 'hopae/apps/HqTRDIYH', findings: expect.objectContaining({ disabled: true, stuck: false, overdue: false }) },
      { secretName: 'hopae/apps/ok', findings: expect.objectContaining({ disabled: false, stuck: false, overdue: false }) },
      { secretName: 'hopae/apps/gone', unreadable: 'ResourceNotFoundException' },
    ]);
    expect(sm.commandCalls(ListSecretVersionIdsCommand, { SecretId: ARN })).toHaveLength(2);
    const commands = sm.calls().map((call) => call.args[0].constructor.name);
    expect(new Set(commands)).toEqual(new Set(['DescribeSecretCommand', 'ListSecretVersionIdsCommand']));
    expect(logger.lines.filter((l) => l.message === AUDIT_LOG_MESSAGES.attention).map((l) => l.attributes[0])).toEqual([
      expect.objectContaining({ secretName: 'hopae/apps/HqTRDIYH', disabled: true }),
    ]);
    expect(logger.lines.filter((l) => l.message === AUDIT_LOG_MESSAGES.unreadable).map((l) => l.attributes[0])).toEqual([
      expect.objectContaining({ secretName: 'hopae/apps/gone', errorName: 'ResourceNotFoundException' }),
    ]);
  });
});

describe('audit EMF', () => {
  const output = captureEmfOutput();

  it('emits totals every run (0 included) and a per-secret metric only for a problem', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const ok = { stuck: false, overdue: false, disabled: false, deletionScheduled: false };

    emitAuditMetrics(metrics, [
      { secretName: 'hopae/apps/a', findings: { ...ok, stuck: true, overdue: true } },
      { secretName: 'hopae/apps/b', findings: ok },
      { secretName: 'hopae/apps/d', findings: { ...ok, deletionScheduled: true } },
      { secretName: 'hopae/apps/c', unreadable: 'AccessDeniedException' },
    ]);
    metrics.publishStoredMetrics();

    const emitted = emittedMetrics(output.records());
    const totals = Object.fromEntries(emitted.filter((m) => !('SecretName' in m.dimensions)).map((m) => [m.name, m.value]));
    expect(totals).toEqual({ SecretsAudited: 4, RotationStuck: 1, RotationOverdue: 1, RotationDisabled: 0, SecretDeletionScheduled: 1, AuditUnreadable: 1 });
    const perSecret = emitted.filter((m) => 'SecretName' in m.dimensions).map((m) => `${m.dimensions.SecretName}:${m.name}=${String(m.value)}`);
    expect(perSecret.sort()).toEqual(['hopae/apps/a:RotationOverdue=1', 'hopae/apps/a:RotationStuck=1', 'hopae/apps/c:AuditUnreadable=1', 'hopae/apps/d:SecretDeletionScheduled=1']);
    for (const metric of emitted) expect(metric).toMatchObject({ namespace: METRICS_NAMESPACE, dimensions: expect.objectContaining({ service: SERVICE_NAME }) });
  });

  it('the handler refuses an event without secret ids, naming the expected input, and emits nothing', async () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const resolve = jest.fn();
    const handler = createAuditHandler({ logger: new Logger({ serviceName: SERVICE_NAME }), emf: metrics, resolve });

    await expect(handler({ secretIds: [] }, localLambdaContext())).rejects.toThrow(/\{"secretIds": \[\.\.\.\]\}.*invoke the audit through that rule/);
    expect(resolve).not.toHaveBeenCalled();
    expect(emittedMetrics(output.records()).filter((m) => m.name === 'SecretsAudited')).toEqual([]);
  });
});

describe('audit configuration', () => {
  it('defaults to 30 minutes stuck and 32 days overdue, and takes the construct\'s values', () => {
    expect(loadAuditThresholds({})).toEqual({
      stuckAfterMs: DEFAULT_STUCK_AFTER_MINUTES * 60_000,
      overdueAfterMs: DEFAULT_OVERDUE_AFTER_HOURS * 3_600_000,
      overdueAfterScheduledMs: DEFAULT_OVERDUE_AFTER_SCHEDULED_HOURS * 3_600_000,
    });
    expect(loadAuditThresholds({ AUDIT_STUCK_AFTER_MINUTES: '45', AUDIT_OVERDUE_AFTER_HOURS: '800', AUDIT_OVERDUE_AFTER_SCHEDULED_HOURS: '26' })).toEqual({
      stuckAfterMs: 45 * 60_000,
      overdueAfterMs: 800 * 3_600_000,
      overdueAfterScheduledMs: 26 * 3_600_000,
    });
  });

  it('rejects a bad threshold, naming the variable', () => {
    expect(() => loadAuditThresholds({ AUDIT_STUCK_AFTER_MINUTES: '0' })).toThrow(/AUDIT_STUCK_AFTER_MINUTES must be a positive whole number; got "0"/);
  });

  it.each([[null], [{}], [{ secretIds: 'x' }], [{ secretIds: ['ok', ''] }]])('rejects the event %j', (event) => {
    expect(() => parseAuditEvent(event)).toThrow(/secretIds/);
  });

  it('takes the secret ids as given', () => {
    expect(parseAuditEvent({ secretIds: [ARN, 'hopae/apps/x'] })).toEqual([ARN, 'hopae/apps/x']);
  });
});
