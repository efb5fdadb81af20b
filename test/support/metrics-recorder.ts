import type { RotationMetrics } from '../../lambda/metrics';

/** A RotationMetrics that records each call as a short string. */
export class MetricsRecorder implements RotationMetrics {
  readonly calls: string[] = [];
  stepSucceeded = (step: string, outcome: string, _ms: number, secret: string) => void this.calls.push(`succeeded:${step}:${outcome}:${secret}`);
  stepFailed = (step: string, code: string, _ms: number, secret: string) => void this.calls.push(`failed:${step}:${code}:${secret}`);
  hopaeRetry = (operation: string, throttled: boolean) => void this.calls.push(`retry:${operation}${throttled ? ':throttled' : ''}`);
  idempotentReplay = () => void this.calls.push('replay');
}
