/**
 * A rotation function as moto knows it: registered in moto's Lambda (which stores it and never
 * runs it) with this project's environment contract, and attached to secrets as Secrets Manager
 * rotation. The rotation-service emulator runs the real handler in its place.
 */
import { CreateFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, RotateSecretCommand, type SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';

const ROLE_NAME = 'hopae-rotation';

/** Registers the function (and, the first time, the IAM role moto requires); returns its ARN. */
export async function registerRotationFunction(
  lambda: LambdaClient,
  motoEndpoint: string,
  name: string,
  environment: Record<string, string>,
): Promise<string> {
  await ensureIamRole(motoEndpoint);
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs24.x',
      Role: `arn:aws:iam::123456789012:role/${ROLE_NAME}`,
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP },
      Environment: { Variables: environment },
    }),
  );
  return fn.FunctionArn!;
}

/** Attaches a function to a secret as rotation (every 30 days), leaving no rotation pending. */
export async function attachRotationFunction(sm: SecretsManagerClient, secretArn: string, functionArn: string): Promise<void> {
  // moto copies the value into the new version and runs only testSecret when not rotating immediately.
  await sm.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }));
  const stages = (await sm.send(new DescribeSecretCommand({ SecretId: secretArn }))).VersionIdsToStages ?? {};
  for (const [versionId, labels] of Object.entries(stages)) {
    if (labels.includes('AWSPENDING')) {
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretArn, VersionStage: 'AWSPENDING', RemoveFromVersionId: versionId }));
    }
  }
}

// The smallest valid zip (an empty archive): moto stores the code, never runs it.
const EMPTY_ZIP = new Uint8Array([80, 75, 5, 6, ...new Array<number>(18).fill(0)]);

/** moto's IAM must know the function's role (its query API, which the project has no SDK client for). */
async function ensureIamRole(endpoint: string): Promise<void> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: ROLE_NAME,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
  });
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  const text = await response.text();
  if (response.ok || text.includes('EntityAlreadyExists')) return;
  throw new Error(`moto CreateRole failed: ${response.status} ${text.slice(0, 200)}`);
}
