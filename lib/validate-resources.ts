import { Stack, Token } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { HopaeSecretRotationProps } from './props';
import { propsError } from './validate-props';

/**
 * Refuses secrets the function can never rotate or read: Secrets Manager invokes a rotation
 * function in the secret's own region and account (a replica is rotated through its primary),
 * and the function reads the workspace key through its own region's endpoint. Region and account
 * are compared only where both are known at synth (an environment-agnostic stack knows neither).
 */
export function validateSecretPlacement(scope: Construct, props: Pick<HopaeSecretRotationProps, 'appSecrets' | 'workspaceKeySecret'>): void {
  const stack = Stack.of(scope);
  const where = (secret: ISecret, prop: 'appSecrets' | 'workspaceKeySecret', checkAccount: boolean) => {
    const { region, account } = secret.env;
    const name = describeSecret(secret);
    if (known(region) && known(stack.region) && region !== stack.region) {
      throw propsError(
        prop,
        `holds ${name} in region ${region}, not this stack's region ${stack.region}: ${
          prop === 'appSecrets'
            ? 'Secrets Manager invokes a rotation function in the secret\'s own region (a replica cannot be rotated: rotate its primary). Deploy a HopaeSecretRotation in that region for it'
            : 'the function reads it through its own region\'s endpoint. Keep the workspace key in this region'
        }`,
      );
    }
    if (checkAccount && known(account) && known(stack.account) && account !== stack.account) {
      throw propsError(
        prop,
        `holds ${name} of account ${account}, not this stack's account ${stack.account}: Secrets Manager invokes a rotation function of the secret's own account. Deploy a HopaeSecretRotation in that account for it`,
      );
    }
  };
  for (const secret of props.appSecrets ?? []) where(secret, 'appSecrets', true);
  // A workspace key shared from another account can be read (its resource policy and key allowing it).
  where(props.workspaceKeySecret, 'workspaceKeySecret', false);
}

/**
 * Refuses a KMS alias where a key is expected: IAM and KMS match a grant against the key's ARN,
 * never the alias's, so a grant naming the alias would stop every rotation at AccessDenied.
 */
export function validateKeys(props: Pick<HopaeSecretRotationProps, 'appSecrets' | 'workspaceKeySecret' | 'encryptionKey'>): void {
  const fix = 'import the key by its key ARN instead: kms.Key.fromKeyArn(scope, id, \'arn:aws:kms:<region>:<account>:key/<key id>\') (aws kms describe-key --key-id <alias> prints it)';
  const alias = aliasOf(props.encryptionKey);
  if (alias !== undefined) throw propsError('encryptionKey', `is the KMS alias ${alias}: IAM matches a key's ARN, never its alias; ${fix}`);
  for (const secret of props.appSecrets ?? []) {
    const secretAlias = aliasOf(secret.encryptionKey);
    if (secretAlias !== undefined) {
      throw propsError('appSecrets', `holds ${describeSecret(secret)} imported with the KMS alias ${secretAlias} as its key: IAM matches a key's ARN, never its alias; ${fix}`);
    }
  }
  const keyAlias = aliasOf(props.workspaceKeySecret.encryptionKey);
  if (keyAlias !== undefined) {
    throw propsError('workspaceKeySecret', `is imported with the KMS alias ${keyAlias} as its key: IAM matches a key's ARN, never its alias; ${fix}`);
  }
}

function known(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

function describeSecret(secret: ISecret): string {
  return Token.isUnresolved(secret.secretName) ? secret.node.path : secret.secretName;
}

/** The alias a "key" really is: a kms.Alias (created or imported), or a key imported from an alias ARN. */
function aliasOf(key: IKey | undefined): string | undefined {
  if (key === undefined) return undefined;
  if ('aliasName' in key && typeof (key as { aliasName: unknown }).aliasName === 'string') return (key as { aliasName: string }).aliasName;
  if (!Token.isUnresolved(key.keyArn)) {
    const match = /:(alias\/.+)$/.exec(key.keyArn);
    if (match) return match[1];
  }
  return undefined;
}
