import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HopaeSecretRotationPropsError } from '../lib/errors';
import { HopaeSecretRotationStack } from '../lib/example-stack';
import { AppContextError, readAppContext, type AppContext } from './context';

const app = new App();
// AWS Solutions checks on every synth: an unacknowledged finding fails `cdk synth`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

try {
  const { stackName, ...stackProps }: AppContext = readAppContext((key) => app.node.tryGetContext(key));
  new HopaeSecretRotationStack(app, stackName, {
    ...stackProps,
    // Environment-agnostic unless the CLI resolved the target account or region.
    env:
      process.env.CDK_DEFAULT_ACCOUNT || process.env.CDK_DEFAULT_REGION
        ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
        : undefined,
    description: `Rotation of Hopae Connect app clientSecrets (${stackProps.environment})`,
  });
} catch (error) {
  // A bad -c value or cdk.json entry: say which, without a stack trace.
  if (!(error instanceof AppContextError || error instanceof HopaeSecretRotationPropsError)) throw error;
  console.error(error.message);
  process.exit(1);
}
