import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RotationStep } from './event';
import { METRICS_NAMESPACE, SERVICE_NAME } from './names';

export { METRICS_NAMESPACE };

/**
 * What the rotation counts. Kept as an interface so steps and tests need no CloudWatch: the
 * Lambda uses Powertools Metrics (EMF lines on stdout), tests a recorder or `noMetrics`.
 */
export interface RotationMetrics {
  stepSucceeded(step: RotationStep, outcome: string, durationMs: number, secretName: string): void;
  stepFailed(step: RotationStep | 'unknown', errorCode: string, durationMs: number, secretName: string): void;
  /** One retry of a Hopae call (rotate or verify); `throttled` when Hopae asked us to wait. */
  hopaeRetry(operation: string, throttled: boolean): void;
  /** Hopae answered with `Idempotency-Replayed: true`. */
  idempotentReplay(): void;
}

export const noMetrics: RotationMetrics = {
  stepSucceeded: () => undefined,
  stepFailed: () => undefined,
  hopaeRetry: () => undefined,
  idempotentReplay: () => undefined,
};

/**
 * Powertools Metrics with two views: by Step (StepSucceeded, StepFailed, StepDuration,
 * HopaeRetries, HopaeThrottles, IdempotentReplays) for the fleet, and by SecretName (RotationCompleted,
 * RotationStepFailed) so one app's failures stand out. Flushed by the logMetrics middleware.
 */
export class PowertoolsRotationMetrics implements RotationMetrics {
  constructor(readonly metrics: Metrics) {}

  stepSucceeded(step: RotationStep, outcome: string, durationMs: number, secretName: string): void {
    this.metrics.addDimension('Step', step);
    this.metrics.addMetric('StepSucceeded', MetricUnit.Count, 1);
    this.metrics.addMetric('StepDuration', MetricUnit.Milliseconds, durationMs);
    if (outcome === 'finished') this.perSecret(secretName, 'RotationCompleted');
  }

  stepFailed(step: RotationStep | 'unknown', errorCode: string, durationMs: number, secretName: string): void {
    this.metrics.addDimension('Step', step);
    this.metrics.addMetric('StepFailed', MetricUnit.Count, 1);
    this.metrics.addMetric('StepDuration', MetricUnit.Milliseconds, durationMs);
    this.metrics.addMetadata('errorCode', errorCode);
    this.perSecret(secretName, 'RotationStepFailed');
  }

  hopaeRetry(_operation: string, throttled: boolean): void {
    this.metrics.addMetric('HopaeRetries', MetricUnit.Count, 1);
    if (throttled) this.metrics.addMetric('HopaeThrottles', MetricUnit.Count, 1);
  }

  idempotentReplay(): void {
    this.metrics.addMetric('IdempotentReplays', MetricUnit.Count, 1);
  }

  private perSecret(secretName: string, name: string): void {
    const single = this.metrics.singleMetric();
    single.addDimension('SecretName', secretName);
    single.addMetric(name, MetricUnit.Count, 1);
  }
}

export function createMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  });
}

/** The secret's name from its ARN (without Secrets Manager's 6-character suffix), or the id as given. */
export function secretNameOf(secretId: string): string {
  const match = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(secretId);
  if (!match) return secretId;
  return match[1]!.replace(/-[A-Za-z0-9]{6}$/, '');
}
