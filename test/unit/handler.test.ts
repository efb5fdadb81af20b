import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfigurationError, HopaeUnavailableError } from '../../lambda/errors';
import { PowertoolsRotationMetrics } from '../../lambda/metrics';
import { createHandler } from '../../lambda/handler';
import type { RotationEvent } from '../../lambda/event';
import type { StepDependencies } from '../../lambda/steps';
import { localLambdaContext } from '../../local/lambda-context';
import { OutputCapture } from '../support/capture-output';
import { MetricsRecorder } from '../support/metrics-recorder';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hopae/apps/A-AbCdEf';
const TOKEN = 'tok-0001';
const ROTATION_TOKEN = 'rt-must-never-be-logged-0123456789';
const event: RotationEvent = { Step: 'setSecret', SecretId: ARN, ClientRequestToken: TOKEN, RotationToken: ROTATION_TOKEN };

/** Steps whose Secrets Manager answers a describe that lets setSecret run. */
function fakeSteps(describe: StepDependencies['store']['describe']): StepDependencies {
  return {
    store: { describe } as StepDependencies['store'],
    hopae: {} as StepDependencies['hopae'],
    workspaceKey: {} as StepDependencies['workspaceKey'],
    logger: undefined as never, // replaced below with the handler's logger
    metrics: new MetricsRecorder(),
  };
}

describe('the Lambda handler', () => {
  const output = new OutputCapture();
  let logger: Logger;
  let metrics: MetricsRecorder;

  beforeEach(() => {
    // Even with event logging switched on in the environment, the event must stay out of the logs.
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    output.start();
    logger = new Logger({ serviceName: 'test' });
    metrics = new MetricsRecorder();
  });
  afterEach(() => {
    output.stop();
    delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
  });

  const enabled = async () => ({ arn: ARN, name: 'A', rotationEnabled: true, versionStages: { v1: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] } });

  it('runs the step and logs one line with step, ARN, token, outcome and duration, never the event', async () => {
    const steps = { ...fakeSteps(enabled), logger };
    const handler = createHandler({ logger, metrics, resolve: () => ({ steps, storeReserveMs: 5000 }) });

    await expect(handler(event, localLambdaContext())).resolves.toEqual({ step: 'setSecret', outcome: 'nothing-to-set' });
    expect(metrics.calls).toEqual(['succeeded:setSecret:nothing-to-set:hopae/apps/A']);

    const done = output.records().find((r) => r.message === 'Rotation step succeeded');
    expect(done).toMatchObject({ step: 'setSecret', secretArn: ARN, token: TOKEN, outcome: 'nothing-to-set', durationMs: expect.any(Number) });
    expect(output.text()).not.toContain(ROTATION_TOKEN);
    expect(output.records().some((r) => r.message === 'Lambda invocation event')).toBe(false);
  });

  it('fails an unknown step before building anything', async () => {
    const resolve = jest.fn();
    const handler = createHandler({ logger, metrics, resolve });

    await expect(handler({ ...event, Step: 'deleteSecret' as never }, localLambdaContext())).rejects.toThrow(/Unknown rotation step "deleteSecret"/);
    expect(resolve).not.toHaveBeenCalled();
    expect(output.records().find((r) => r.message === 'Rotation step failed')).toMatchObject({ outcome: 'failed', errorCode: 'INVALID_EVENT' });
    expect(metrics.calls).toEqual(['failed:unknown:INVALID_EVENT:hopae/apps/A']);
  });

  it('fails each invocation with the configuration error, naming the variable', async () => {
    const handler = createHandler({
      logger,
      metrics,
      resolve: () => {
        throw new ConfigurationError('HOPAE_API_BASE_URL is not set');
      },
    });

    await expect(handler(event, localLambdaContext())).rejects.toThrow('HOPAE_API_BASE_URL is not set');
    await expect(handler(event, localLambdaContext())).rejects.toThrow(ConfigurationError);
    expect(output.records().filter((r) => r.errorCode === 'CONFIGURATION')).toHaveLength(2);
  });

  it('gives Hopae the remaining time minus the store reserve', async () => {
    let seenDeadline = 0;
    const steps: StepDependencies = {
      store: {
        describe: enabled,
        getVersionValue: async () => JSON.stringify({ clientId: 'A', clientSecret: 'x' }),
      } as unknown as StepDependencies['store'],
      hopae: {
        checkCredentials: async (request: { deadline: number }) => {
          seenDeadline = request.deadline;
          return { attempts: 1 };
        },
      } as unknown as StepDependencies['hopae'],
      workspaceKey: {} as StepDependencies['workspaceKey'],
      logger,
      metrics,
    };
    const handler = createHandler({ logger, metrics, resolve: () => ({ steps, storeReserveMs: 5000 }) });
    const started = Date.now();

    await expect(handler({ ...event, Step: 'testSecret' }, localLambdaContext(30_000))).resolves.toMatchObject({ outcome: 'pending-verified' });

    expect(seenDeadline).toBeGreaterThanOrEqual(started + 25_000 - 50);
    expect(seenDeadline).toBeLessThanOrEqual(Date.now() + 25_000);
  });

  it.each(['createSecret', 'testSecret'] as const)(
    'fails %s with a configuration error, before any call, when the store reserve leaves Hopae no time',
    async (Step) => {
      const describe = jest.fn(enabled);
      const steps = { ...fakeSteps(describe), logger };
      const handler = createHandler({ logger, metrics, resolve: () => ({ steps, storeReserveMs: 5000 }) });

      const error = await handler({ ...event, Step }, localLambdaContext(4_000)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(/ROTATION_STORE_RESERVE_MS \(5000 ms\) leaves 0 ms of this invocation's \d+ ms to call Hopae/);
      expect(describe).not.toHaveBeenCalled();
      expect(output.records().find((r) => r.message === 'Rotation step failed')).toMatchObject({ errorCode: 'CONFIGURATION' });
    },
  );

  it('still runs the steps that do not call Hopae when the store reserve is too large', async () => {
    const steps = { ...fakeSteps(enabled), logger };
    const handler = createHandler({ logger, metrics, resolve: () => ({ steps, storeReserveMs: 5000 }) });

    await expect(handler(event, localLambdaContext(4_000))).resolves.toEqual({ step: 'setSecret', outcome: 'nothing-to-set' });
  });

  it('reports a timed-out step as INVOCATION_TIMEOUT, logged and flushed before the invocation returns, and nothing when the step settles later', async () => {
    let release: (error: Error) => void = () => undefined;
    // A step that ignores the abort and ends only when released, as a call stuck in a socket would.
    const stuck = () => new Promise<never>((_resolve, reject) => (release = reject));
    const steps = { ...fakeSteps(stuck as unknown as StepDependencies['store']['describe']), logger };
    const emf = new Metrics({ namespace: 'Test', serviceName: 'test' });
    const handler = createHandler({ logger, metrics: new PowertoolsRotationMetrics(emf), emf, resolve: () => ({ steps, storeReserveMs: 5000 }) });

    await expect(handler(event, localLambdaContext(600))).rejects.toThrow(/ran out of time before the Lambda timeout/);

    const failed = () => output.records().filter((r) => r.message === 'Rotation step failed');
    expect(failed()).toHaveLength(1);
    expect(failed()[0]).toMatchObject({ level: 'ERROR', step: 'setSecret', errorCode: 'INVOCATION_TIMEOUT', durationMs: expect.any(Number) });
    const flushed = output.records().filter((r) => '_aws' in r);
    expect(flushed.some((r) => r.StepFailed === 1 && r.Step === 'setSecret')).toBe(true);
    expect(flushed.some((r) => r.RotationStepFailed === 1 && r.SecretName === 'hopae/apps/A')).toBe(true);

    release(new HopaeUnavailableError('late', 1));
    await new Promise(setImmediate);
    expect(failed()).toHaveLength(1);
    expect(output.text()).not.toContain('HOPAE_UNAVAILABLE');
  });

  it('ends a step that would outlive the Lambda with a clear timeout error and aborts its calls', async () => {
    let aborted = false;
    const hanging = (_id: string, signal?: AbortSignal) =>
      new Promise<never>((_resolve, reject) => {
        signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        });
      });
    const steps = { ...fakeSteps(hanging as StepDependencies['store']['describe']), logger };
    const handler = createHandler({ logger, metrics, resolve: () => ({ steps, storeReserveMs: 5000 }) });

    // 600 ms left: middy stops the step 500 ms before the end.
    await expect(handler(event, localLambdaContext(600))).rejects.toThrow(/ran out of time before the Lambda timeout/);
    expect(aborted).toBe(true);
  });
});
