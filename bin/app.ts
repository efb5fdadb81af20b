import { App } from 'aws-cdk-lib';
import { HopaeSecretRotationStack } from '../lib/example-stack';
import { AppContextError, readAppContext, type AppContext } from './context';

const app = new App();

let context: AppContext;
try {
  context = readAppContext((key) => app.node.tryGetContext(key));
} catch (error) {
  // A bad -c value or cdk.json entry: say which, without a stack trace.
  if (!(error instanceof AppContextError)) throw error;
  console.error(error.message);
  process.exit(1);
}

new HopaeSecretRotationStack(app, context.stackName, {
  environment: context.environment,
  workspaceKeySecret: context.workspaceKeySecret,
  appSecrets: context.appSecrets,
  rotationDays: context.rotationDays,
  // Environment-agnostic unless the CLI resolved the target account or region.
  env:
    process.env.CDK_DEFAULT_ACCOUNT || process.env.CDK_DEFAULT_REGION
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined,
  description: `Rotation of Hopae Connect app clientSecrets (${context.environment})`,
});
