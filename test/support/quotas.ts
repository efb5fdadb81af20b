/**
 * What a deploy enforces that a synth does not check, applied to synthesized templates. Each limit
 * is AWS's (looked up with the search tool; docs/fleet.md lists the sources):
 * - CloudFormation: 500 resources, 200 parameters, 200 outputs per stack; template body in S3 1 MB;
 * - IAM: managed policy 6,144 characters, a role's inline policies together 10,240, trust policy
 *   2,048 (whitespace not counted); 10 managed policies per role;
 * - Lambda: resource-based policy 20 KB;
 * - EventBridge: event pattern 2,048 characters; 5 targets per rule; target Input and input
 *   template 8,192 characters;
 * - CloudWatch: alarm description 1,024 characters.
 * Deploy-time values (Ref, GetAtt, imports) are counted at generous lengths, so sizes are upper bounds.
 */

export const QUOTAS = {
  resourcesPerStack: 500,
  parametersPerStack: 200,
  outputsPerStack: 200,
  templateBytes: 1_000_000,
  managedPolicyChars: 6_144,
  roleInlinePolicyChars: 10_240,
  managedPoliciesPerRole: 10,
  trustPolicyChars: 2_048,
  lambdaResourcePolicyBytes: 20_480,
  eventPatternChars: 2_048,
  targetsPerRule: 5,
  targetInputChars: 8_192,
  alarmDescriptionChars: 1_024,
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}

export interface TemplateJson {
  Resources?: Record<string, Resource>;
  Parameters?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

/** What one stack's template measures, and every quota it breaks. */
export interface StackQuotaReport {
  readonly stack: string;
  readonly resources: number;
  readonly templateBytes: number;
  /** The largest IAM policy document of the stack (managed, or a role's inline policies together), in characters without whitespace. */
  readonly largestPolicyChars: number;
  readonly violations: string[];
}

// Longest plausible values of deploy-time parts.
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::Region': 'ap-southeast-3',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 's'.repeat(128),
  'AWS::StackId': 's'.repeat(160),
  'AWS::NoValue': '',
};
const REF_CHARS = 160;
const ATTRIBUTE_CHARS = 200;

/** A value with every intrinsic replaced by a string of its longest plausible length. */
export function render(value: Json, refChars: number = REF_CHARS): Json {
  const again = (v: Json) => render(v, refChars);
  if (Array.isArray(value)) return value.map(again);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = value[key]!;
    if (key === 'Ref') return PSEUDO[arg as string] ?? 'r'.repeat(refChars);
    if (key === 'Fn::GetAtt' || key === 'Fn::ImportValue') return 'a'.repeat(ATTRIBUTE_CHARS);
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, Json[]];
      return parts.map(again).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(separator);
    }
    if (key === 'Fn::Sub') {
      const text = typeof arg === 'string' ? arg : (arg as [string])[0];
      return text.replace(/\$\{[^}]+\}/g, (m) => PSEUDO[m.slice(2, -1)] ?? 'x'.repeat(REF_CHARS));
    }
    if (key.startsWith('Fn::')) return 'f'.repeat(ATTRIBUTE_CHARS);
  }
  return Object.fromEntries(keys.map((k) => [k, again(value[k]!)]));
}

/** Characters of a JSON value rendered without whitespace, as IAM, EventBridge and Lambda count them. */
export function compactLength(value: Json): number {
  return JSON.stringify(render(value)).length;
}

function refersTo(value: Json | undefined, logicalId: string): boolean {
  return JSON.stringify(value ?? null).includes(`"${logicalId}"`);
}

/** Measures one template against every quota above. */
export function checkTemplate(stack: string, template: TemplateJson): StackQuotaReport {
  const violations: string[] = [];
  const fail = (what: string, value: number, limit: number) => {
    if (value > limit) violations.push(`${stack}: ${what} is ${value}, over the limit of ${limit}`);
  };
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  fail('resource count', resources.length, QUOTAS.resourcesPerStack);
  fail('parameter count', Object.keys(template.Parameters ?? {}).length, QUOTAS.parametersPerStack);
  fail('output count', Object.keys(template.Outputs ?? {}).length, QUOTAS.outputsPerStack);
  // CDK writes templates with one-space indentation; that file is what CloudFormation reads from S3.
  const templateBytes = Buffer.byteLength(JSON.stringify(template, undefined, 1));
  fail('template size in bytes', templateBytes, QUOTAS.templateBytes);

  let largestPolicyChars = 0;
  for (const [id, policy] of ofType('AWS::IAM::ManagedPolicy')) {
    const chars = compactLength(policy.Properties!.PolicyDocument!);
    largestPolicyChars = Math.max(largestPolicyChars, chars);
    fail(`managed policy ${id} (characters without whitespace)`, chars, QUOTAS.managedPolicyChars);
  }
  for (const [roleId, role] of ofType('AWS::IAM::Role')) {
    const inline = [
      ...((role.Properties!.Policies as { PolicyDocument: Json }[] | undefined) ?? []).map((p) => p.PolicyDocument),
      ...ofType('AWS::IAM::Policy')
        .filter(([, p]) => refersTo(p.Properties!.Roles, roleId))
        .map(([, p]) => p.Properties!.PolicyDocument!),
    ];
    const inlineChars = inline.reduce((sum: number, doc) => sum + compactLength(doc), 0);
    largestPolicyChars = Math.max(largestPolicyChars, inlineChars);
    fail(`inline policies of role ${roleId} together (characters without whitespace)`, inlineChars, QUOTAS.roleInlinePolicyChars);
    const managed = ((role.Properties!.ManagedPolicyArns as Json[] | undefined) ?? []).length + ofType('AWS::IAM::ManagedPolicy').filter(([, p]) => refersTo(p.Properties!.Roles, roleId)).length;
    fail(`managed policies of role ${roleId}`, managed, QUOTAS.managedPoliciesPerRole);
    fail(`trust policy of role ${roleId} (characters without whitespace)`, compactLength(role.Properties!.AssumeRolePolicyDocument!), QUOTAS.trustPolicyChars);
  }

  // Lambda writes each permission as one statement of the function's resource policy.
  const byFunction = new Map<string, number>();
  for (const [id, permission] of ofType('AWS::Lambda::Permission')) {
    const p = permission.Properties!;
    const statement = {
      Sid: id.slice(0, 100),
      Effect: 'Allow',
      Principal: p.Principal?.toString().includes('.') ? { Service: p.Principal } : { AWS: p.Principal ?? '' },
      Action: p.Action ?? '',
      Resource: p.FunctionName ?? '',
      Condition: {
        ...(p.SourceAccount ? { StringEquals: { 'AWS:SourceAccount': p.SourceAccount } } : {}),
        ...(p.SourceArn ? { ArnLike: { 'AWS:SourceArn': p.SourceArn } } : {}),
      },
    } as Json;
    const key = JSON.stringify(p.FunctionName);
    byFunction.set(key, (byFunction.get(key) ?? 0) + compactLength(statement) + 1);
  }
  for (const [fn, bytes] of byFunction) fail(`resource-based policy of function ${fn} in bytes`, bytes + 40, QUOTAS.lambdaResourcePolicyBytes);

  for (const [id, rule] of ofType('AWS::Events::Rule')) {
    const p = rule.Properties!;
    if (p.EventPattern !== undefined) fail(`event pattern of rule ${id} (characters)`, compactLength(p.EventPattern), QUOTAS.eventPatternChars);
    const targets = (p.Targets as Record<string, Json>[] | undefined) ?? [];
    fail(`targets of rule ${id}`, targets.length, QUOTAS.targetsPerRule);
    for (const target of targets) {
      if (typeof target.Input === 'string') fail(`Input of a target of rule ${id}`, target.Input.length, QUOTAS.targetInputChars);
      const transformer = target.InputTransformer as { InputTemplate?: Json } | undefined;
      if (transformer?.InputTemplate !== undefined) {
        const rendered = render(transformer.InputTemplate);
        fail(`input template of a target of rule ${id}`, typeof rendered === 'string' ? rendered.length : JSON.stringify(rendered).length, QUOTAS.targetInputChars);
      }
    }
  }
  for (const [id, alarm] of ofType('AWS::CloudWatch::Alarm')) {
    const description = alarm.Properties!.AlarmDescription;
    if (description !== undefined) {
      // The names inside (a log group's) are at most ~100 characters once deployed.
      const rendered = render(description, 100);
      fail(`description of alarm ${id}`, typeof rendered === 'string' ? rendered.length : JSON.stringify(rendered).length, QUOTAS.alarmDescriptionChars);
    }
  }
  return { stack, resources: resources.length, templateBytes, largestPolicyChars, violations };
}

/** Every stack of a cloud assembly: artifact id and template. */
export function checkAssembly(stacks: readonly { readonly id: string; readonly template: unknown }[]): StackQuotaReport[] {
  return stacks.map(({ id, template }) => checkTemplate(id, template as TemplateJson));
}
