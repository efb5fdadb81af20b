/**
 * `npm run playground`: everything the operator CLI talks to, locally, until Ctrl-C. moto_server
 * (Secrets Manager, Lambda, CloudWatch Logs), the Hopae stand-in, a registered rotation function
 * whose rotations the real handler runs in this process (moto cannot run a Lambda: a small proxy
 * plays Secrets Manager's part on RotateSecret), and sample secrets in telling states. Prints the
 * environment to export in another shell. Prints no secret.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  type RotateSecretCommandInput,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { startLocalEnvironment, WORKSPACE_KEY_SECRET } from './local-environment';
import { attachRotationFunction, registerRotationFunction } from './moto-lambda';
import { ROTATION_FUNCTION_ENV } from '../lambda/names';
import { RotationServiceEmulator } from './rotation-service';
import { parseScriptArgs } from './script-args';

const FUNCTION_NAME = 'hopae-secret-rotation';
const PLAYGROUND_STUCK_AFTER_MINUTES = 1;

const PLAYGROUND_USAGE = `Usage: npm run playground

Starts moto_server, the Hopae stand-in, a rotation function and sample secrets, prints the
environment to export in another shell for \`npx hopae-rotation\`, and runs until Ctrl-C.
Takes no options but --help.`;

/** The sample secrets and the state each is left in. */
const SAMPLES = [
  { clientId: 'HqTRDIYH', state: 'healthy' },
  { clientId: 'StuckRot', state: 'a rotation that stopped before Hopae answered: in flight for its first minute, stuck after (try doctor, then recover)' },
  { clientId: 'LockedOu', state: 'rotated elsewhere: Hopae rejects every stored pair (try recover, then rotate --wait)' },
] as const;

async function main(): Promise<void> {
  parseScriptArgs('playground', PLAYGROUND_USAGE, {});
  const local = await startLocalEnvironment({ POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' }, { proxy: true });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void local.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  try {
    const { moto, sm, hopaeBaseUrl, apiKey } = local;
    const lambda = new LambdaClient({ endpoint: moto.endpoint });
    const functionArn = await registerRotationFunction(lambda, moto.endpoint, FUNCTION_NAME, {
      HOPAE_API_BASE_URL: hopaeBaseUrl,
      HOPAE_API_KEY_SECRET_ID: WORKSPACE_KEY_SECRET,
      // moto's clock cannot be turned back: a one-minute in-flight threshold (the construct's
      // stuckAfter; 30 minutes by default) lets StuckRot become stuck while you watch.
      [ROTATION_FUNCTION_ENV.stuckAfterMinutes]: String(PLAYGROUND_STUCK_AFTER_MINUTES),
    });
    const service = new RotationServiceEmulator({ sm, handler: await local.loadHandler(), logs: new CloudWatchLogsClient({ endpoint: moto.endpoint }) });
    local.proxy!.intercept = async (operation, body) => (operation === 'RotateSecret' ? answerRotateSecret(service, body) : undefined);
    // moto dates every version "now" on each ListSecretVersionIds: the endpoint the CLI uses keeps the first date instead.
    local.proxy!.stableVersionDates = true;
    const proxied = new SecretsManagerClient({ endpoint: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER });

    for (const sample of SAMPLES) {
      const { arn } = await local.createApp(sample.clientId);
      await attachRotationFunction(sm, arn, functionArn);
      if (sample.clientId === 'StuckRot') await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: functionArn }));
      if (sample.clientId === 'LockedOu') {
        const response = await fetch(`${hopaeBaseUrl}/apps/${sample.clientId}/rotate-client-secret`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}` } });
        await response.arrayBuffer();
      }
      // Seen through the endpoint now, so each version keeps its creation time from here on.
      await proxied.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
    }

    const exports = {
      AWS_REGION: 'us-east-1',
      // boto3 (the Python helper) and the AWS CLI v1 read only this one.
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER!,
      AWS_ENDPOINT_URL_LAMBDA: moto.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: moto.endpoint,
      // consumers and doctor's consumer check read ECS and EventBridge (moto has no CloudTrail).
      AWS_ENDPOINT_URL_ECS: moto.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: moto.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    console.log(`Hopae rotation playground
  Secrets Manager    moto_server at ${moto.endpoint}, through the rotation service at ${exports.AWS_ENDPOINT_URL_SECRETS_MANAGER}
  Hopae              stand-in at ${hopaeBaseUrl}
  Rotation function  ${FUNCTION_NAME}: the real handler, run here when Secrets Manager would invoke it;
                     its log lines go to moto's /aws/lambda/${FUNCTION_NAME} (and show below)
  Sample secrets
${SAMPLES.map((s) => `    hopae/apps/${s.clientId}  ${s.state}`).join('\n')}

In another shell, export this:
${Object.entries(exports)
  .map(([name, value]) => `export ${name}=${value}`)
  .join('\n')}

then try:
  npx hopae-rotation status
  npx hopae-rotation doctor hopae/apps/StuckRot
  npx hopae-rotation recover hopae/apps/LockedOu
  npx hopae-rotation rotate hopae/apps/HqTRDIYH --wait
  npx hopae-rotation consumers hopae/apps/HqTRDIYH --no-cloudtrail

What it cannot show: long spans of time. The in-flight threshold is ${PLAYGROUND_STUCK_AFTER_MINUTES} minute here (30 by default
in AWS), a rotation older than Hopae's 24-hour replay cannot be made, and no schedule or rotation
window ever fires: rotations run when you ask for them. moto has no CloudTrail: run consumers with
--no-cloudtrail.

Ready. Ctrl-C stops everything.`);
  } catch (error) {
    await local.stop();
    throw error;
  }
}

/** RotateSecret through the emulated rotation service, answered in the JSON protocol's shape. */
async function answerRotateSecret(service: RotationServiceEmulator, body: Buffer): Promise<{ status: number; body: string }> {
  try {
    const output = await service.rotateSecret(JSON.parse(body.toString('utf8')) as RotateSecretCommandInput);
    return { status: 200, body: JSON.stringify(output) };
  } catch (error) {
    const name = error instanceof SecretsManagerServiceException ? error.name : 'InternalServiceError';
    return { status: error instanceof SecretsManagerServiceException ? 400 : 500, body: JSON.stringify({ __type: name, message: (error as Error).message }) };
  }
}

main().catch((error: Error) => {
  console.error(`npm run playground failed: ${error.name}: ${error.message}`);
  process.exit(1);
});
