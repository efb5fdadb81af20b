import { Metrics } from '@aws-lambda-powertools/metrics';
import { Logger } from '@aws-lambda-powertools/logger';
import { ListSecretsCommand, ListSecretVersionIdsCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { assessSecret } from '../../lambda/audit/assess';
import { auditFleet, sameFunction } from '../../lambda/audit/audit';
import { AuditOutOfTimeError } from '../../lambda/audit/backoff';
import { emitAuditMetrics } from '../../lambda/audit/audit-metrics';
import { DEFAULT_OVERDUE_AFTER_HOURS, DEFAULT_OVERDUE_AFTER_SCHEDULED_HOURS, DEFAULT_STUCK_AFTER_MINUTES, loadAuditConfig, loadAuditThresholds } from '../../lambda/audit/config';
import { createAuditHandler } from '../../lambda/audit/handler';
import { AUDIT_LOG_MESSAGES, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/names';
import { localLambdaContext } from '../../local/lambda-context';
import { captureEmfOutput, emittedMetrics } from '../support/emf';
import { MemoryLogger } from '../support/silent-logger';

const NOW = new Date('2026-11-27T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const THRESHOLDS = { stuckAfterMs: 30 * 60_000, overdueAfterMs: 33 * 24 * 3_600_000, overdueAfterScheduledMs: 2 * 24 * 3_600_000 };
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

const FUNCTION_ARN = 'arn:aws:lambda:eu-central-1:123456789012:function:Stack-RotationFunction-AbC123';
const OTHER_FUNCTION_ARN = 'arn:aws:lambda:eu-central-1:123456789012:function:someone-elses-rotation';
const CONFIG = { rotationFunctionArn: FUNCTION_ARN, thresholds: THRESHOLDS };
const noBackoff = { sleep: async () => {}, random: () => 0.5, remainingMs: () => 60_000 };

/** A ListSecrets entry rotated by FUNCTION_ARN unless told otherwise. */
function listed(name: string, extra: Record<string, unknown> = {}) {
  return {
    ARN: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${name}-AbCdEf`,
    Name: name,
    RotationEnabled: true,
    RotationLambdaARN: FUNCTION_ARN,
    LastRotatedDate: minutesAgo(60 * 24),
    CreatedDate: minutesAgo(60 * 24 * 90),
    SecretVersionsToStages: { v2: ['AWSCURRENT', 'AWSPENDING'], v1: ['AWSPREVIOUS'] },
    ...extra,
  };
}

describe('auditFleet', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());
  const deps = (logger = new MemoryLogger()) => ({ secretsManager: new SecretsManagerClient({}), logger, now: () => NOW, backoff: noBackoff });

  it('lists the secrets 100 a page, planned deletions included, and keeps those whose rotation function is this one', async () => {
    sm.on(ListSecretsCommand)
      .resolvesOnce({ SecretList: [listed('hopae/apps/a'), listed('other/app', { RotationLambdaARN: OTHER_FUNCTION_ARN }), listed('plain', { RotationLambdaARN: undefined })], NextToken: 'p2' })
      .resolvesOnce({ SecretList: [listed('hopae/apps/b', { RotationLambdaARN: `${FUNCTION_ARN}:live` })], NextToken: '' });

    const { audits, calls } = await auditFleet(deps(), CONFIG);

    expect(audits.map((a) => a.secretName)).toEqual(['hopae/apps/a', 'hopae/apps/b']);
    expect(calls).toEqual({ listSecrets: 2, listSecretVersionIds: 0 });
    expect(sm.commandCalls(ListSecretsCommand).map((c) => c.args[0].input)).toEqual([
      { MaxResults: 100, IncludePlannedDeletion: true, NextToken: undefined },
      { MaxResults: 100, IncludePlannedDeletion: true, NextToken: 'p2' },
    ]);
    // metadata only: no DescribeSecret per secret, never a value
    expect(new Set(sm.calls().map((call) => call.args[0].constructor.name))).toEqual(new Set(['ListSecretsCommand']));
  });

  it('calls ListSecretVersionIds only for a secret with a pending version apart from AWSCURRENT, and names the ones needing attention in the log', async () => {
    const stuck = listed('hopae/apps/stuck', { SecretVersionsToStages: { v1: ['AWSCURRENT'], tok: ['AWSPENDING'] } });
    sm.on(ListSecretsCommand).resolves({ SecretList: [stuck, listed('hopae/apps/ok'), listed('hopae/apps/off', { RotationEnabled: false })] });
    sm.on(ListSecretVersionIdsCommand, { SecretId: stuck.ARN })
      .resolvesOnce({ Versions: [{ VersionId: 'v1', CreatedDate: minutesAgo(9000) }], NextToken: 'n' })
      .resolves({ Versions: [{ VersionId: 'tok', CreatedDate: minutesAgo(45) }] });
    const logger = new MemoryLogger();

    const { audits, calls } = await auditFleet(deps(logger), CONFIG);

    expect(audits).toEqual([
      { secretName: 'hopae/apps/stuck', findings: expect.objectContaining({ stuck: true, pendingForMinutes: 45 }) },
      { secretName: 'hopae/apps/ok', findings: expect.objectContaining({ stuck: false, overdue: false, disabled: false }) },
      { secretName: 'hopae/apps/off', findings: expect.objectContaining({ disabled: true }) },
    ]);
    expect(calls.listSecretVersionIds).toBe(2);
    expect(sm.commandCalls(ListSecretVersionIdsCommand).every((c) => c.args[0].input.SecretId === stuck.ARN)).toBe(true);
    expect(logger.lines.filter((l) => l.message === AUDIT_LOG_MESSAGES.attention).map((l) => (l.attributes[0] as { secretName: string }).secretName).sort()).toEqual([
      'hopae/apps/off',
      'hopae/apps/stuck',
    ]);
  });

  it('reports a secret whose versions it cannot read, and still audits the others', async () => {
    const gone = listed('hopae/apps/gone', { SecretVersionsToStages: { v1: ['AWSCURRENT'], tok: ['AWSPENDING'] } });
    sm.on(ListSecretsCommand).resolves({ SecretList: [gone, listed('hopae/apps/ok')] });
    sm.on(ListSecretVersionIdsCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    const logger = new MemoryLogger();

    const { audits } = await auditFleet(deps(logger), CONFIG);

    expect(audits).toEqual([{ secretName: 'hopae/apps/gone', unreadable: 'ResourceNotFoundException' }, expect.objectContaining({ secretName: 'hopae/apps/ok' })]);
    expect(logger.lines.filter((l) => l.message === AUDIT_LOG_MESSAGES.unreadable).map((l) => l.attributes[0])).toEqual([
      expect.objectContaining({ secretName: 'hopae/apps/gone', errorName: 'ResourceNotFoundException' }),
    ]);
  });

  it('backs off and retries a throttled ListSecrets, with growing waits', async () => {
    const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    sm.on(ListSecretsCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ SecretList: [listed('hopae/apps/a')] });
    const waits: number[] = [];

    const { audits } = await auditFleet({ ...deps(), backoff: { ...noBackoff, random: () => 0.999, sleep: async (ms) => void waits.push(ms) } }, CONFIG);

    expect(audits).toHaveLength(1);
    expect(waits).toEqual([199, 399, 799]);
  });

  it('fails the run, rather than report part of the fleet, when ListSecrets stays throttled or time runs out', async () => {
    const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    sm.on(ListSecretsCommand).rejects(throttled());
    await expect(auditFleet(deps(), CONFIG)).rejects.toThrow(/Rate exceeded/);
    expect(sm.commandCalls(ListSecretsCommand)).toHaveLength(8);

    sm.reset();
    sm.on(ListSecretsCommand).rejects(throttled());
    await expect(auditFleet({ ...deps(), backoff: { ...noBackoff, remainingMs: () => 50 } }, CONFIG)).rejects.toThrow(AuditOutOfTimeError);
  });

  it('fails the run on a page it may not read (AccessDenied is not retried)', async () => {
    sm.on(ListSecretsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    await expect(auditFleet(deps(), CONFIG)).rejects.toThrow(/not authorized/);
    expect(sm.commandCalls(ListSecretsCommand)).toHaveLength(1);
  });
});

describe('sameFunction', () => {
  it.each([
    [FUNCTION_ARN, true],
    [`${FUNCTION_ARN}:live`, true],
    [`${FUNCTION_ARN}:$LATEST`, true],
    [OTHER_FUNCTION_ARN, false],
    [`${FUNCTION_ARN}X`, false],
  ])('%s names the rotation function: %s', (arn, same) => {
    expect(sameFunction(arn, FUNCTION_ARN)).toBe(same);
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
    ], 2);
    metrics.publishStoredMetrics();

    const emitted = emittedMetrics(output.records());
    const totals = Object.fromEntries(emitted.filter((m) => !('SecretName' in m.dimensions)).map((m) => [m.name, m.value]));
    expect(totals).toEqual({ SecretsAudited: 4, SecretsDetached: 2, AuditCompleted: 1, RotationStuck: 1, RotationOverdue: 1, RotationDisabled: 0, SecretDeletionScheduled: 1, AuditUnreadable: 1 });
    const perSecret = emitted.filter((m) => 'SecretName' in m.dimensions).map((m) => `${m.dimensions.SecretName}:${m.name}=${String(m.value)}`);
    expect(perSecret.sort()).toEqual(['hopae/apps/a:RotationOverdue=1', 'hopae/apps/a:RotationStuck=1', 'hopae/apps/c:AuditUnreadable=1', 'hopae/apps/d:SecretDeletionScheduled=1']);
    for (const metric of emitted) expect(metric).toMatchObject({ namespace: METRICS_NAMESPACE, dimensions: expect.objectContaining({ service: SERVICE_NAME }) });
  });

  it('the handler emits nothing when the run fails, so no zero turns an alarm back to OK', async () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const sm = mockClient(SecretsManagerClient);
    sm.on(ListSecretsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }));
    const handler = createAuditHandler({
      logger: new Logger({ serviceName: SERVICE_NAME }),
      emf: metrics,
      resolve: () => ({ secretsManager: new SecretsManagerClient({}), config: { ...CONFIG, attachedSecrets: 3 } }),
    });

    await expect(handler({}, localLambdaContext())).rejects.toThrow(/not authorized/);
    expect(emittedMetrics(output.records()).filter((m) => !m.name.startsWith('Cold'))).toEqual([]);
    sm.restore();
  });

  it('the handler ignores the scheduled event, audits the fleet and reports the secrets detached from the function', async () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const sm = mockClient(SecretsManagerClient);
    sm.on(ListSecretsCommand).resolves({ SecretList: [listed('hopae/apps/a'), listed('hopae/apps/b')] });
    const handler = createAuditHandler({
      logger: new Logger({ serviceName: SERVICE_NAME }),
      emf: metrics,
      now: () => NOW,
      resolve: () => ({ secretsManager: new SecretsManagerClient({}), config: { ...CONFIG, attachedSecrets: 3 } }),
    });

    const summary = await handler({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, localLambdaContext());

    expect(summary).toMatchObject({ audited: 2, attached: 3, detached: 1, listSecretsCalls: 1, listSecretVersionIdsCalls: 0 });
    const totals = Object.fromEntries(emittedMetrics(output.records()).filter((m) => !('SecretName' in m.dimensions)).map((m) => [m.name, m.value]));
    expect(totals).toMatchObject({ SecretsAudited: 2, SecretsDetached: 1, AuditCompleted: 1 });
    sm.restore();
  });
});

describe('audit configuration', () => {
  it('defaults to 30 minutes stuck and 32 days overdue, and takes the construct\'s values', () => {
    expect(loadAuditThresholds({})).toEqual({
      stuckAfterMs: DEFAULT_STUCK_AFTER_MINUTES * 60_000,
      overdueAfterMs: DEFAULT_OVERDUE_AFTER_HOURS * 3_600_000,
      overdueAfterScheduledMs: DEFAULT_OVERDUE_AFTER_SCHEDULED_HOURS * 3_600_000,
    });
    expect(loadAuditThresholds({ HOPAE_STUCK_AFTER_MINUTES: '45', AUDIT_OVERDUE_AFTER_HOURS: '800', AUDIT_OVERDUE_AFTER_SCHEDULED_HOURS: '26' })).toEqual({
      stuckAfterMs: 45 * 60_000,
      overdueAfterMs: 800 * 3_600_000,
      overdueAfterScheduledMs: 26 * 3_600_000,
    });
  });

  it('rejects a bad threshold, naming the variable', () => {
    expect(() => loadAuditThresholds({ HOPAE_STUCK_AFTER_MINUTES: '0' })).toThrow(/HOPAE_STUCK_AFTER_MINUTES must be a positive whole number; got "0"/);
  });

  it('reads the rotation function and the attached count, and refuses a missing function ARN, naming the variable', () => {
    expect(loadAuditConfig({ AUDIT_ROTATION_FUNCTION_ARN: FUNCTION_ARN, AUDIT_ATTACHED_SECRETS: '12' })).toMatchObject({ rotationFunctionArn: FUNCTION_ARN, attachedSecrets: 12 });
    expect(() => loadAuditConfig({})).toThrow(/AUDIT_ROTATION_FUNCTION_ARN must be the rotation function's ARN/);
    expect(() => loadAuditConfig({ AUDIT_ROTATION_FUNCTION_ARN: FUNCTION_ARN, AUDIT_ATTACHED_SECRETS: 'many' })).toThrow(/AUDIT_ATTACHED_SECRETS must be a whole number/);
  });
});
