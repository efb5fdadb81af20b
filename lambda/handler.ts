import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { checkHopaeBudget } from './config';
import { errorCode, InvocationTimeoutError } from './errors';
import { parseRotationEvent, ROTATION_STEPS, type RotationEvent, type RotationStep } from './event';
import { type RotationMetrics, secretNameOf } from './metrics';
import { runRotationStep, type StepDependencies, type StepOutcome } from './steps';

/** What the handler needs; `resolve` builds the per-container clients lazily so a bad configuration fails each invocation clearly. */
export interface HandlerDependencies {
  readonly logger: Logger;
  readonly metrics: RotationMetrics;
  /** The Powertools Metrics behind `metrics`, flushed (as EMF) after every invocation. */
  readonly emf?: Metrics;
  readonly resolve: () => { readonly steps: StepDependencies; readonly storeReserveMs: number };
}

export interface HandlerResult {
  readonly step: RotationStep;
  readonly outcome: StepOutcome;
}

// Only these steps call Hopae; the others must run even when its time budget is misconfigured.
const STEPS_CALLING_HOPAE: ReadonlySet<RotationStep> = new Set(['createSecret', 'testSecret']);
// When the Lambda context is missing (local runs), assume this much time.
const DEFAULT_REMAINING_MS = 60_000;
// middy aborts the step this long before the Lambda's own timeout, so the failure is ours to name.
const TIMEOUT_EARLY_MS = 500;

/**
 * The Lambda entry logic: parses the event, runs the step, logs one structured line with its
 * outcome and duration. The event itself is never logged (it carries the RotationToken).
 */
export function createHandler(deps: HandlerDependencies) {
  const { logger, metrics } = deps;

  const rotate = async (event: RotationEvent, context: Context, opts?: { signal?: AbortSignal }): Promise<HandlerResult> => {
    const started = Date.now();
    let reported = false;
    // One ERROR line and one failure metric per invocation, from whichever comes first: the step's
    // own error, or middy's early timeout. The timeout is reported the moment middy aborts, so the
    // line and the metrics (flushed by logMetrics' onError) leave before the invocation returns,
    // not when the abandoned step settles later, in a frozen container or the next invocation.
    const reportFailure = (error: unknown) => {
      if (reported) return;
      reported = true;
      const durationMs = Date.now() - started;
      const code = errorCode(error);
      logger.error('Rotation step failed', { outcome: 'failed', errorCode: code, durationMs, error: error as Error });
      metrics.stepFailed(stepOf(event), code, durationMs, secretNameOf(String((event as Partial<RotationEvent>)?.SecretId ?? 'unknown')));
    };
    const onTimeout = () => reportFailure(invocationTimeoutError());
    opts?.signal?.addEventListener('abort', onTimeout, { once: true });
    try {
      const request = parseRotationEvent(event);
      logger.appendKeys({ step: request.step, secretArn: request.secretId, token: request.token });
      const { steps, storeReserveMs } = deps.resolve();
      const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_REMAINING_MS;
      if (STEPS_CALLING_HOPAE.has(request.step)) checkHopaeBudget(remaining, storeReserveMs);
      const outcome = await runRotationStep(steps, {
        request,
        hopaeDeadline: started + remaining - storeReserveMs,
        signal: opts?.signal,
      });
      // Ended after the timeout was reported: the invocation already failed, say nothing more.
      if (reported) return { step: request.step, outcome };
      const durationMs = Date.now() - started;
      logger.info('Rotation step succeeded', { outcome, durationMs });
      metrics.stepSucceeded(request.step, outcome, durationMs, secretNameOf(request.secretId));
      return { step: request.step, outcome };
    } catch (error) {
      reportFailure(error);
      throw error;
    } finally {
      opts?.signal?.removeEventListener('abort', onTimeout);
    }
  };

  const handler = middy(rotate, {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () => {
      throw invocationTimeoutError();
    },
  }).use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }));
  return deps.emf ? handler.use(logMetrics(deps.emf)) : handler;
}

function invocationTimeoutError(): InvocationTimeoutError {
  return new InvocationTimeoutError(
    'The rotation step ran out of time before the Lambda timeout; raise the function timeout (60 s is the default) or lower HOPAE_REQUEST_TIMEOUT_MS. The rotation will be retried.',
  );
}

/** The step named by a possibly malformed event, for metrics. */
function stepOf(event: unknown): RotationStep | 'unknown' {
  const step = (event as { Step?: unknown } | null)?.Step;
  return (ROTATION_STEPS as readonly unknown[]).includes(step) ? (step as RotationStep) : 'unknown';
}
