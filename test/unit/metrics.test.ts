import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHandler } from '../../lambda/handler';
import { PowertoolsRotationMetrics, secretNameOf } from '../../lambda/metrics';
import type { StepDependencies } from '../../lambda/steps';
import { localLambdaContext } from '../../local/lambda-context';
import { captureEmfOutput } from '../support/emf';

interface Emf {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf';
const TOKEN = 'tok-1';

describe('secretNameOf', () => {
  it.each([
    [ARN, 'hopae/apps/HqTRDIYH'],
    ['arn:aws-cn:secretsmanager:cn-north-1:1:secret:plain-Ab12Cd', 'plain'],
    ['hopae/apps/HqTRDIYH', 'hopae/apps/HqTRDIYH'],
  ])('%s is %s', (id, name) => {
    expect(secretNameOf(id)).toBe(name);
  });
});

describe('EMF output', () => {
  const output = captureEmfOutput();
  const emf = () => output.records().filter((r) => '_aws' in r) as unknown as Emf[];

  it('a finished rotation counts by Step, and RotationCompleted by SecretName', () => {
    const metrics = new Metrics({ namespace: 'HopaeSecretRotation', serviceName: 'svc' });
    const rotation = new PowertoolsRotationMetrics(metrics);

    rotation.hopaeRetry('rotate', false);
    rotation.stepSucceeded('finishSecret', 'finished', 42, 'hopae/apps/HqTRDIYH');
    metrics.publishStoredMetrics();

    const lines = emf();
    const perSecret = lines.find((l) => l.SecretName === 'hopae/apps/HqTRDIYH')!;
    expect(perSecret._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).toEqual(['RotationCompleted']);
    expect(perSecret._aws.CloudWatchMetrics[0]!.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'SecretName']));
    const byStep = lines.find((l) => l.Step === 'finishSecret')!;
    expect(byStep._aws.CloudWatchMetrics[0]!.Namespace).toBe('HopaeSecretRotation');
    expect(byStep._aws.CloudWatchMetrics[0]!.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'Step']));
    expect(byStep._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort()).toEqual(['HopaeRetries', 'StepDuration', 'StepSucceeded']);
    expect(byStep).toMatchObject({ StepSucceeded: 1, StepDuration: 42, HopaeRetries: 1 });
  });

  it('the handler flushes after a failed step: StepFailed by Step and RotationStepFailed by SecretName', async () => {
    const logger = new Logger({ serviceName: 'svc' });
    const metrics = new Metrics({ namespace: 'HopaeSecretRotation', serviceName: 'svc' });
    const steps = {
      store: {
        describe: async () => ({ arn: ARN, name: 'x', rotationEnabled: false, versionStages: {} }),
      } as unknown as StepDependencies['store'],
    } as StepDependencies;
    const handler = createHandler({
      logger,
      metrics: new PowertoolsRotationMetrics(metrics),
      emf: metrics,
      resolve: () => ({ steps: { ...steps, logger, metrics: new PowertoolsRotationMetrics(metrics) }, storeReserveMs: 5000 }),
    });

    await expect(handler({ Step: 'createSecret', SecretId: ARN, ClientRequestToken: TOKEN }, localLambdaContext())).rejects.toThrow(/not enabled/);

    const lines = emf();
    expect(lines.find((l) => l.Step === 'createSecret')).toMatchObject({ StepFailed: 1, errorCode: 'ROTATION_STATE' });
    expect(lines.find((l) => l.SecretName === 'hopae/apps/HqTRDIYH')).toMatchObject({ RotationStepFailed: 1 });
  });
});
