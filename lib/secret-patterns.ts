import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { CfnSecret, ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * How a policy or event pattern can name a secret, by the part of its ARN after `:secret:`:
 * - `exact`: the complete name with Secrets Manager's 6-character suffix (`hopae/apps/a-AbCdEf`);
 * - `named`: a name known without its suffix (`hopae/apps/a`), matched as `name-` plus 6 characters;
 * - `prefix`: every secret whose name starts with the text (what several entries merge into);
 * - `token`: an ARN only deployment knows (a secret created elsewhere in the app without a name).
 */
export type SecretPattern =
  | { readonly kind: 'exact'; readonly text: string; readonly arn: string }
  | { readonly kind: 'named' | 'prefix'; readonly text: string }
  | { readonly kind: 'token'; readonly arn: string };

type NamePattern = Exclude<SecretPattern, { kind: 'token' }>;

/** The pattern that names exactly one secret, from what synth knows of it. */
export function patternOf(secret: ISecret): SecretPattern {
  const fullArn = secret.secretFullArn;
  if (fullArn !== undefined && !Token.isUnresolved(fullArn)) {
    return { kind: 'exact', text: fullArn.slice(fullArn.indexOf(':secret:') + ':secret:'.length), arn: fullArn };
  }
  const name = knownSecretName(secret);
  if (name !== undefined) return { kind: 'named', text: name };
  return { kind: 'token', arn: fullArn ?? secret.secretArn };
}

/**
 * The secret's name when synth knows it: an imported secret's `secretName`, or the name a secret
 * created in this app was given (its `secretName` is then a token parsed from the ARN).
 */
export function knownSecretName(secret: ISecret): string | undefined {
  if (!Token.isUnresolved(secret.secretName)) return secret.secretName;
  const given = (secret.node.defaultChild as CfnSecret | undefined)?.name;
  return given !== undefined && !Token.isUnresolved(given) ? given : undefined;
}

/**
 * Merges patterns until `fits` accepts them, generalizing as little as it can: entries sharing
 * the longest common name prefix merge first into that prefix. Deploy-time ARNs cannot merge;
 * when they alone do not fit, the answer is every secret of the account and region (prefix '').
 * The result names every secret the input named, and is sorted.
 */
export function coverPatterns(patterns: readonly SecretPattern[], fits: (patterns: readonly SecretPattern[]) => boolean): SecretPattern[] {
  const tokens = patterns.filter((p): p is Extract<SecretPattern, { kind: 'token' }> => p.kind === 'token');
  let named: NamePattern[] = dedupe(patterns.filter((p): p is NamePattern => p.kind !== 'token'));
  const result = () => [...named, ...tokens];
  while (!fits(result())) {
    if (named.length <= 1) {
      // Nothing left to merge but the names themselves: the whole account.
      if (named.length === 1 && named[0]!.kind === 'prefix' && named[0]!.text === '' && tokens.length === 0) return result();
      return [{ kind: 'prefix', text: '' }];
    }
    // Merge every run of neighbours sharing the longest common prefix found.
    const lcps = named.slice(1).map((p, i) => commonPrefixLength(named[i]!.text, p.text));
    const longest = Math.max(...lcps);
    const merged: NamePattern[] = [];
    for (let i = 0; i < named.length; ) {
      let j = i;
      while (j < lcps.length && lcps[j]! >= longest) j += 1;
      merged.push(j === i ? named[i]! : { kind: 'prefix', text: named[i]!.text.slice(0, longest) });
      i = j + 1;
    }
    named = dedupe(merged);
  }
  return result();
}

/** Sorted by text, without entries a prefix entry already covers. */
function dedupe<T extends { readonly kind: string; readonly text: string }>(patterns: readonly T[]): T[] {
  const sorted = [...patterns].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : a.kind === 'prefix' ? -1 : 1));
  const kept: T[] = [];
  for (const pattern of sorted) {
    const last = kept[kept.length - 1];
    if (last && last.kind === 'prefix' && pattern.text.startsWith(last.text)) continue;
    if (last && last.kind === pattern.kind && last.text === pattern.text) continue;
    kept.push(pattern);
  }
  return kept;
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return i;
}

/** The ARN prefix of this stack's secrets: `arn:<partition>:secretsmanager:<region>:<account>:secret:` followed by `rest`. */
export function secretArn(scope: Construct, rest: string): string {
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: rest, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** A pattern as an IAM resource (or ArnLike/StringLike value): the ARN, `name-??????`, or `prefix*`. */
export function iamArnPattern(scope: Construct, pattern: SecretPattern): string {
  switch (pattern.kind) {
    case 'token':
    case 'exact':
      return pattern.arn;
    case 'named':
      // The `-??????` wildcard matches exactly the suffix Secrets Manager appends.
      return secretArn(scope, `${pattern.text}-??????`);
    case 'prefix':
      return secretArn(scope, `${pattern.text}*`);
  }
}

/** A pattern as an EventBridge match on the secret's ARN: the ARN itself, or `{ prefix: ... }`. */
export function eventArnMatcher(scope: Construct, pattern: SecretPattern): string | { prefix: string } {
  switch (pattern.kind) {
    case 'token':
    case 'exact':
      return pattern.arn;
    case 'named':
      return { prefix: secretArn(scope, `${pattern.text}-`) };
    case 'prefix':
      return { prefix: secretArn(scope, pattern.text) };
  }
}

// Longest values a deploy-time part of an ARN takes: partition "aws-us-gov", region
// "ap-southeast-3", a 12-digit account; a token ARN is counted generously.
const ARN_BASE_CHARS = 'arn:aws-us-gov:secretsmanager:ap-southeast-3:123456789012:secret:'.length;
const TOKEN_ARN_CHARS = 200;

/** The longest a pattern's rendered ARN (or ARN prefix) can be once deployed, in characters. */
export function renderedLength(pattern: SecretPattern): number {
  if (pattern.kind === 'token') return TOKEN_ARN_CHARS;
  return ARN_BASE_CHARS + pattern.text.length + (pattern.kind === 'named' ? 7 : pattern.kind === 'prefix' ? 1 : 0);
}
