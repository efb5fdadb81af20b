/**
 * Who reads a rotated secret, and whether each reader survives a rotation (Hopae kills the old
 * clientSecret the moment createSecret's call commits, while AWSCURRENT names it until finishSecret):
 * ECS task definitions that inject it as an environment variable, Lambda functions whose
 * environment names it, and the principals CloudTrail saw calling GetSecretValue on it. Read-only.
 */
import { LookupEventsCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { type EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { type LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';

type Sender<C extends { send: unknown }> = Pick<C, 'send'>;

/** The clients the survey reads with; tests inject their own (moto has no CloudTrail LookupEvents). */
export interface ConsumerClients {
  readonly ecs: Sender<ECSClient>;
  readonly lambda: Sender<LambdaClient>;
  readonly events: Sender<EventBridgeClient>;
  readonly cloudTrail: Sender<CloudTrailClient>;
}

/** What survives a rotation: the reader re-reads, is restarted, breaks, or cannot be told from outside. */
export type Survival = 'restarted' | 'breaks' | 'depends' | 'rotates';

export interface Consumer {
  readonly kind: 'ecs-task-definition' | 'lambda-function' | 'principal';
  /** Task definition family:revision, function name, or principal ARN. */
  readonly name: string;
  readonly arn: string;
  /** How it reads the secret, in a few words. */
  readonly reads: string;
  readonly survival: Survival;
  /** What happens at a rotation, and the fix. */
  readonly detail: string;
}

export interface ConsumerSurvey {
  readonly consumers: Consumer[];
  /** What was read, in words ("ECS task definitions", ...): only these back a "no consumer found". */
  readonly lookedAt: string[];
  /** What could not be looked at (a missing permission, throttling, an unreachable endpoint), with the fix. */
  readonly gaps: string[];
  /** How far back CloudTrail was read, when it was. */
  readonly cloudTrail?: {
    readonly since: Date;
    readonly events: number;
    readonly pagesRead: number;
    /** Every event since `since` was read; otherwise only those from `oldest` on. */
    readonly complete: boolean;
    readonly oldest?: Date;
  };
}

export interface SurveyOptions {
  /** The secret's full ARN and name (DescribeSecret's). */
  readonly secret: { readonly arn: string; readonly name: string };
  /** The role of the secret's rotation function, whose reads are the rotation's own. */
  readonly rotationRoleArn?: string;
  /** Look at CloudTrail's GetSecretValue events of the last `days` days. @default 7 */
  readonly days?: number;
  /** At most this many LookupEvents pages of 50 events. @default 20 */
  readonly maxPages?: number;
  readonly now?: () => number;
  /** Pauses between LookupEvents pages: CloudTrail allows 2 requests a second per account and Region. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Skip CloudTrail (`--no-cloudtrail`, and doctor's quick look). */
  readonly withoutCloudTrail?: boolean;
  /** Only the task definitions services run, not every family's latest revision too (doctor's quick look). */
  readonly servicesOnly?: boolean;
}

/** CloudTrail days read when not told (`--days`). */
const DEFAULT_DAYS = 7;
const EXTENSION_LAYER = /AWS-Parameters-and-Secrets-Lambda-Extension/;
const DESCRIBE_CONCURRENCY = 5;
const LOOKUP_PAUSE_MS = 500;

/**
 * Whether `value` names the secret: its name, its complete ARN, or its ARN without the
 * 6-character suffix, optionally followed by ECS's `:json-key:version-stage:version-id`.
 */
export function namesSecret(value: string, secret: { readonly arn: string; readonly name: string }): boolean {
  if (value === secret.name || value === secret.arn) return true;
  const prefix = secret.arn.slice(0, secret.arn.indexOf(':secret:') + ':secret:'.length);
  if (!value.startsWith(prefix)) return false;
  const id = value.slice(prefix.length).split(':')[0]!;
  return id === secret.arn.slice(prefix.length) || id === secret.name;
}

/** A service the survey reads: what to call it, the permissions that let it, and the SDK's endpoint variable for it. */
interface Source {
  readonly what: string;
  readonly permissions: string;
  readonly endpointVariable: string;
}

const SOURCES = {
  events: { what: 'EventBridge rules (refreshOnRotation)', permissions: 'events:ListRules and events:ListTargetsByRule', endpointVariable: 'AWS_ENDPOINT_URL_EVENTBRIDGE' },
  ecs: {
    what: 'ECS',
    permissions: 'ecs:ListClusters, ecs:ListServices, ecs:DescribeServices, ecs:ListTaskDefinitionFamilies, ecs:DescribeTaskDefinition',
    endpointVariable: 'AWS_ENDPOINT_URL_ECS',
  },
  lambda: { what: 'Lambda', permissions: 'lambda:ListFunctions', endpointVariable: 'AWS_ENDPOINT_URL_LAMBDA' },
  cloudTrail: { what: 'CloudTrail', permissions: 'cloudtrail:LookupEvents', endpointVariable: 'AWS_ENDPOINT_URL_CLOUDTRAIL' },
} as const satisfies Record<string, Source>;

/** The fix for a failed read: a permission only when access was denied, else what the error says. */
export function fixForReadError(error: Error, source: Source): string {
  const said = `${error.name} ${error.message}`;
  if (/AccessDenied|Unauthorized|not authorized|Forbidden/i.test(said)) return `allow ${source.permissions}`;
  if (/Throttl|TooManyRequests|Rate exceeded|RateExceeded/i.test(said)) return 'throttled: run again later';
  if (/UnrecognizedClient|InvalidClientTokenId|ExpiredToken|InvalidSignature|SignatureDoesNotMatch|CredentialsProviderError/i.test(said)) {
    return 'the AWS credentials were refused or missing: check AWS_PROFILE or the credentials in use';
  }
  return `not a permission error: check the network path to ${source.what.split(' ')[0]}'s endpoint, AWS_REGION and ${source.endpointVariable}`;
}

export async function surveyConsumers(clients: ConsumerClients, options: SurveyOptions): Promise<ConsumerSurvey> {
  const gaps: string[] = [];
  const attempt = async <T>(source: Source, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      gaps.push(`${source.what}: ${(error as Error).name}: ${(error as Error).message} (${fixForReadError(error as Error, source)})`);
      return undefined;
    }
  };
  const refreshed = await attempt(SOURCES.events, () => refreshedServices(clients.events, options.secret));
  const ecs = await attempt(SOURCES.ecs, () => ecsConsumers(clients.ecs, options.secret, refreshed, !options.servicesOnly));
  const lambdas = await attempt(SOURCES.lambda, () => lambdaConsumers(clients.lambda, options.secret));
  const consumers = [...(ecs?.consumers ?? []), ...(lambdas?.consumers ?? [])];
  const lookedAt = [...(ecs ? ['ECS task definitions'] : []), ...(lambdas ? ['Lambda functions'] : [])];
  if (options.withoutCloudTrail) return { consumers, lookedAt, gaps };

  const known = new Map<string, string>([...(ecs?.roles ?? []), ...(lambdas?.roles ?? [])]);
  if (options.rotationRoleArn) known.set(options.rotationRoleArn, 'the Hopae rotation function');
  const trail = await attempt(SOURCES.cloudTrail, () => cloudTrailReaders(clients.cloudTrail, options, known));
  if (trail) lookedAt.push(`CloudTrail GetSecretValue events of the last ${options.days ?? DEFAULT_DAYS} days`);
  return { consumers: [...consumers, ...(trail?.consumers ?? [])], lookedAt, gaps, ...(trail ? { cloudTrail: trail.window } : {}) };
}

/** `cluster-arn|service-name` of each service a refreshOnRotation rule redeploys after this secret's rotation. */
async function refreshedServices(events: Sender<EventBridgeClient>, secret: { arn: string; name: string }): Promise<Set<string>> {
  const covered = new Set<string>();
  const rules = await pages((token) => events.send(new ListRulesCommand({ NextToken: token, Limit: 100 })), (p) => p.Rules, (p) => p.NextToken);
  for (const rule of rules) {
    if (!rule.EventPattern?.includes('RotationSucceeded') || !patternNamesSecret(rule.EventPattern, secret)) continue;
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name!, EventBusName: rule.EventBusName }));
    for (const target of Targets ?? []) {
      const template = target.InputTransformer?.InputTemplate ?? target.Input;
      for (const service of servicesInInput(template)) covered.add(`${service.cluster}|${service.service}`);
    }
  }
  return covered;
}

/** The rule's SecretId values: the complete ARN, or a `{"prefix": "<partial ARN>-"}` (lib/alerts.ts secretIdMatcher). */
function patternNamesSecret(pattern: string, secret: { arn: string; name: string }): boolean {
  let ids: unknown;
  try {
    ids = (JSON.parse(pattern) as { detail?: { additionalEventData?: { SecretId?: unknown } } }).detail?.additionalEventData?.SecretId;
  } catch {
    return false;
  }
  return (Array.isArray(ids) ? ids : []).some((id: unknown) =>
    typeof id === 'string' ? id === secret.arn : typeof (id as { prefix?: unknown })?.prefix === 'string' && secret.arn.startsWith((id as { prefix: string }).prefix),
  );
}

/** `{"secretId": <...>, "services": [{"cluster", "service"}]}`, the refresh handler's input. */
function servicesInInput(template: string | undefined): { cluster: string; service: string }[] {
  if (!template) return [];
  try {
    const parsed = JSON.parse(template.replace(/<[A-Za-z0-9_.-]+>/g, '""')) as { services?: unknown };
    return (Array.isArray(parsed.services) ? parsed.services : []).filter(
      (s): s is { cluster: string; service: string } => typeof s?.cluster === 'string' && typeof s?.service === 'string',
    );
  } catch {
    return [];
  }
}

interface ServiceRef {
  readonly clusterArn: string;
  readonly name: string;
}

/** `refreshed`: the services refreshOnRotation redeploys, or undefined when its rules could not be read. */
async function ecsConsumers(ecs: Sender<ECSClient>, secret: { arn: string; name: string }, refreshed: Set<string> | undefined, everyFamily: boolean) {
  // Task definitions in use by services (any revision), then the latest ACTIVE revision of every family.
  const servicesByTaskDefinition = new Map<string, ServiceRef[]>();
  for (const clusterArn of await pages((token) => ecs.send(new ListClustersCommand({ nextToken: token })), (p) => p.clusterArns)) {
    const serviceArns = await pages((token) => ecs.send(new ListServicesCommand({ cluster: clusterArn, nextToken: token })), (p) => p.serviceArns);
    for (let i = 0; i < serviceArns.length; i += 10) {
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster: clusterArn, services: serviceArns.slice(i, i + 10) }));
      for (const service of services ?? []) {
        if (!service.taskDefinition || !service.serviceName) continue;
        const list = servicesByTaskDefinition.get(service.taskDefinition) ?? [];
        list.push({ clusterArn, name: service.serviceName });
        servicesByTaskDefinition.set(service.taskDefinition, list);
      }
    }
  }
  const families = everyFamily
    ? await pages((token) => ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', nextToken: token })), (p) => p.families)
    : [];
  // A few at a time: an account may have hundreds of families, and DescribeTaskDefinition is rate-limited.
  const described = await inBatches([...servicesByTaskDefinition.keys(), ...families], DESCRIBE_CONCURRENCY, async (reference) =>
    (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }))).taskDefinition,
  );
  const seen = new Set<string>();
  const consumers: Consumer[] = [];
  const roles = new Map<string, string>();
  for (const taskDefinition of described) {
    if (!taskDefinition?.taskDefinitionArn || seen.has(taskDefinition.taskDefinitionArn)) continue;
    seen.add(taskDefinition.taskDefinitionArn);
    const variables = injectedVariables(taskDefinition, secret);
    const label = `${taskDefinition.family}:${taskDefinition.revision}`;
    if (taskDefinition.executionRoleArn) roles.set(taskDefinition.executionRoleArn, `the ECS agent starting tasks of ${label}`);
    if (taskDefinition.taskRoleArn) roles.set(taskDefinition.taskRoleArn, `tasks of ${label}`);
    if (variables.length === 0) continue;
    const services = servicesByTaskDefinition.get(taskDefinition.taskDefinitionArn) ?? [];
    const uncovered = services.filter((s) => !refreshed?.has(`${s.clusterArn}|${s.name}`));
    const reads = `injects it as ${variables.join(', ')} when a task starts`;
    const used = services.length === 0 ? 'no service runs it (standalone or scheduled tasks)' : `services ${services.map((s) => s.name).join(', ')}`;
    if (services.length > 0 && !refreshed) {
      consumers.push({
        kind: 'ecs-task-definition',
        name: label,
        arn: taskDefinition.taskDefinitionArn,
        reads,
        survival: 'depends',
        detail: `${used}: running tasks keep the dead clientSecret until they are replaced, unless refreshOnRotation redeploys them (its EventBridge rules could not be read, see below).`,
      });
      continue;
    }
    consumers.push(
      services.length > 0 && uncovered.length === 0
        ? {
            kind: 'ecs-task-definition',
            name: label,
            arn: taskDefinition.taskDefinitionArn,
            reads,
            survival: 'restarted',
            detail: `${used}: refreshOnRotation redeploys them after each rotation; their old tasks fail from Hopae's commit until the new ones run. Reading at call time with the helpers (docs/client.md) avoids that.`,
          }
        : {
            kind: 'ecs-task-definition',
            name: label,
            arn: taskDefinition.taskDefinitionArn,
            reads,
            survival: 'breaks',
            detail:
              `${used}: running tasks keep the dead clientSecret until they are replaced. ` +
              (uncovered.length > 0
                ? `Add ${uncovered.map((s) => s.name).join(', ')} to refreshOnRotation for this secret, or read the secret at call time with the helpers (docs/client.md).`
                : 'Read the secret at call time with the helpers (docs/client.md), or keep tasks short-lived.'),
          },
    );
  }
  return { consumers, roles };
}

/** The container variables whose `secrets[].valueFrom` is this secret. */
function injectedVariables(taskDefinition: TaskDefinition, secret: { arn: string; name: string }): string[] {
  return (taskDefinition.containerDefinitions ?? []).flatMap((container) =>
    (container.secrets ?? []).filter((s) => s.valueFrom && namesSecret(s.valueFrom, secret)).map((s) => `${s.name} (container ${container.name})`),
  );
}

async function lambdaConsumers(lambda: Sender<LambdaClient>, secret: { arn: string; name: string }) {
  const consumers: Consumer[] = [];
  const roles = new Map<string, string>();
  const functions = await pages((marker) => lambda.send(new ListFunctionsCommand({ Marker: marker })), (p) => p.Functions, (p) => p.NextMarker);
  for (const fn of functions) {
    if (fn.Role) roles.set(fn.Role, `Lambda function ${fn.FunctionName}`);
    const variables = Object.entries(fn.Environment?.Variables ?? {}).filter(([, value]) => namesSecret(value, secret));
    if (variables.length === 0) continue;
    const extension = (fn.Layers ?? []).some((layer) => EXTENSION_LAYER.test(layer.Arn ?? ''));
    const ttl = fn.Environment?.Variables?.SECRETS_MANAGER_TTL;
    consumers.push({
      kind: 'lambda-function',
      name: fn.FunctionName!,
      arn: fn.FunctionArn!,
      reads: `its environment names it (${variables.map(([name]) => name).join(', ')})${extension ? ', through the Parameters and Secrets extension' : ''}`,
      survival: 'depends',
      detail: extension
        ? `the extension serves AWSCURRENT from its cache for ${ttl ? `${ttl} s (SECRETS_MANAGER_TTL)` : '300 s (its default)'}: the function fails that long after each rotation unless it re-reads Secrets Manager on a 401 (the helpers do; docs/client.md).`
        : 'if it reads the secret once at init, it fails until its execution environments are replaced; with the helpers it re-reads on a 401 and survives (docs/client.md).',
    });
  }
  return { consumers, roles };
}

async function cloudTrailReaders(cloudTrail: Sender<CloudTrailClient>, options: SurveyOptions, known: ReadonlyMap<string, string>) {
  const now = options.now?.() ?? Date.now();
  const since = new Date(now - (options.days ?? DEFAULT_DAYS) * 86_400_000);
  const maxPages = options.maxPages ?? 20;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const readers = new Map<string, { count: number; last: Date }>();
  let events = 0;
  let pagesRead = 0;
  let oldest: Date | undefined;
  let nextToken: string | undefined;
  do {
    if (pagesRead > 0) await sleep(LOOKUP_PAUSE_MS);
    const page = await cloudTrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetSecretValue' }],
        StartTime: since,
        EndTime: new Date(now),
        MaxResults: 50,
        NextToken: nextToken,
      }),
    );
    pagesRead += 1;
    for (const event of page.Events ?? []) {
      events += 1;
      if (event.EventTime && (!oldest || event.EventTime < oldest)) oldest = event.EventTime;
      const record = parseRecord(event.CloudTrailEvent);
      const secretId = record?.requestParameters?.secretId;
      if (!record || record.errorCode || typeof secretId !== 'string' || !namesSecret(secretId, options.secret)) continue;
      const principal = record.userIdentity?.sessionContext?.sessionIssuer?.arn ?? record.userIdentity?.arn ?? record.userIdentity?.invokedBy ?? 'unknown principal';
      const at = event.EventTime ?? new Date(record.eventTime ?? now);
      const entry = readers.get(principal) ?? { count: 0, last: at };
      entry.count += 1;
      if (at > entry.last) entry.last = at;
      readers.set(principal, entry);
    }
    nextToken = page.NextToken;
  } while (nextToken && pagesRead < maxPages);

  const consumers: Consumer[] = [...readers.entries()].map(([principal, { count, last }]) => {
    const who = known.get(principal);
    const reads = `GetSecretValue ${count} time${count === 1 ? '' : 's'} since ${since.toISOString().slice(0, 10)}, last ${last.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    if (who === 'the Hopae rotation function') {
      return { kind: 'principal', name: principal, arn: principal, reads, survival: 'rotates', detail: 'the Hopae rotation function itself: it writes each new pair.' };
    }
    return {
      kind: 'principal',
      name: principal,
      arn: principal,
      reads,
      survival: 'depends',
      detail: `${who ? `${who}: ` : ''}survives only if it re-reads the secret on a 401 (AWSCURRENT, then AWSPENDING), as the helpers do (docs/client.md); a cache without that fails until it expires.`,
    } satisfies Consumer;
  });
  return { consumers, window: { since, events, pagesRead, complete: nextToken === undefined, ...(oldest ? { oldest } : {}) } };
}

interface TrailRecord {
  readonly errorCode?: string;
  readonly eventTime?: string;
  readonly requestParameters?: { readonly secretId?: unknown };
  readonly userIdentity?: { readonly arn?: string; readonly invokedBy?: string; readonly sessionContext?: { readonly sessionIssuer?: { readonly arn?: string } } };
}

function parseRecord(text: string | undefined): TrailRecord | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as TrailRecord;
  } catch {
    return undefined;
  }
}

/** `work` over every item, at most `size` at once, results in the items' order. */
async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return results;
}

/** Every item of a paginated list call. */
async function pages<P, T>(call: (token: string | undefined) => Promise<P>, items: (page: P) => T[] | undefined, next: (page: P) => string | undefined = (p) => (p as { nextToken?: string }).nextToken): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await call(token);
    all.push(...(items(page) ?? []));
    token = next(page);
  } while (token);
  return all;
}
