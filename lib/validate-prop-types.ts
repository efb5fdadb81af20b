import type { HopaeSecretRotationProps } from './props';
import { HopaeRotationSchedule } from './schedule';
import { propsError } from './validate-props';

// Plain JavaScript (and TypeScript through `any`) reaches the construct with no type-checker: a
// number for a Duration failed deep inside with "timeout.isUnresolved is not a function", a secret
// name for a secret with "Cannot destructure property 'region'", and one clientId as a string was
// read character by character (a secret per character). Each prop's kind is checked first, so the
// error names the prop, the kind it takes and an example. (jsii checks these for Python callers.)

type Prop = keyof HopaeSecretRotationProps;

/** Each Duration prop with an example of the value it takes (its default where it has one). */
const DURATION_PROPS: readonly (readonly [Prop, string])[] = [
  ['timeout', 'Duration.seconds(60)'],
  ['rotationWindow', 'Duration.hours(2)'],
  ['auditInterval', 'Duration.hours(1)'],
  ['stuckAfter', 'Duration.minutes(30)'],
  ['overdueGrace', 'Duration.days(1)'],
  ['overdueAfter', 'Duration.days(32)'],
  ['hopaeRequestTimeout', 'Duration.seconds(8)'],
  ['hopaeRetryBaseDelay', 'Duration.millis(200)'],
  ['hopaeRetryMaxDelay', 'Duration.seconds(4)'],
  ['storeReserve', 'Duration.seconds(5)'],
];

const STRING_PROPS: readonly Prop[] = ['apiBaseUrl', 'secretNamePrefix', 'alarmEmail', 'runbookUrl', 'httpsProxy'];
const NUMBER_PROPS: readonly Prop[] = ['memorySize', 'reservedConcurrentExecutions', 'appStackCount', 'hopaeRotateMaxAttempts', 'hopaeVerifyMaxAttempts'];
const BOOLEAN_PROPS: readonly Prop[] = ['spreadSchedules', 'rotateImmediatelyOnUpdate', 'dashboard'];
/** Lists of constructs, checked only for being lists (their items are CDK's to judge). */
const LIST_PROPS: readonly (readonly [Prop, string])[] = [
  ['refreshOnRotation', 'a list of { secret or clientId, services }'],
  ['securityGroups', 'a list of security groups'],
];

function isSecret(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { secretArn?: unknown }).secretArn === 'string';
}

/** What a value is, in words, for "got ...". */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string '${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isSecret(value)) return 'a secret';
  if (typeof value === 'function') return 'a function';
  return 'an object';
}

function secretExample(prop: 'appSecrets' | 'workspaceKeySecret', value: unknown): string {
  const name = typeof value === 'string' && /^[A-Za-z0-9/_+=.@-]+$/.test(value) ? value : prop === 'appSecrets' ? 'hopae/apps/HqTRDIYH' : 'hopae/workspace-key';
  return `Secret.fromSecretNameV2(this, '${prop === 'appSecrets' ? 'App' : 'WorkspaceKey'}', '${name}')`;
}

/** Throws HopaeSecretRotationPropsError for the first prop given a value of the wrong kind. */
export function validatePropTypes(props: HopaeSecretRotationProps): void {
  const given = props as unknown as Record<string, unknown>;
  const present = (prop: Prop) => given[prop] !== undefined;

  for (const [prop, example] of DURATION_PROPS) {
    const value = given[prop];
    if (present(prop) && !(typeof value === 'object' && value !== null && typeof (value as { toMilliseconds?: unknown }).toMilliseconds === 'function')) {
      throw propsError(prop, `must be a Duration (aws-cdk-lib), e.g. ${example}; got ${describeValue(value)}`);
    }
  }
  if (present('workspaceKeySecret') && !isSecret(given.workspaceKeySecret)) {
    throw propsError('workspaceKeySecret', `must be a secret (ISecret), e.g. ${secretExample('workspaceKeySecret', given.workspaceKeySecret)}; got ${describeValue(given.workspaceKeySecret)}`);
  }
  if (present('appSecrets')) {
    const appSecrets = given.appSecrets;
    if (!Array.isArray(appSecrets)) throw propsError('appSecrets', `must be a list of secrets, e.g. [secret]; got ${describeValue(appSecrets)}`);
    appSecrets.forEach((secret: unknown, i) => {
      if (!isSecret(secret)) throw propsError('appSecrets', `[${i}] must be a secret (ISecret), e.g. ${secretExample('appSecrets', secret)}; got ${describeValue(secret)}`);
    });
  }
  for (const [prop, example] of [['clientIds', "['HqTRDIYH']"], ['noProxy', "['.internal.example.com']"]] as const) {
    const value = given[prop];
    if (!present(prop)) continue;
    const what = prop === 'clientIds' ? 'clientIds' : 'strings';
    if (!Array.isArray(value)) throw propsError(prop, `must be a list of ${what}, e.g. ${example}; got ${describeValue(value)}`);
    value.forEach((item: unknown, i) => {
      if (typeof item !== 'string') throw propsError(prop, `[${i}] must be a string; got ${describeValue(item)}`);
    });
  }
  for (const prop of STRING_PROPS) {
    if (present(prop) && typeof given[prop] !== 'string') throw propsError(prop, `must be a string; got ${describeValue(given[prop])}`);
  }
  for (const prop of NUMBER_PROPS) {
    if (present(prop) && typeof given[prop] !== 'number') throw propsError(prop, `must be a number; got ${describeValue(given[prop])}`);
  }
  for (const prop of BOOLEAN_PROPS) {
    if (present(prop) && typeof given[prop] !== 'boolean') throw propsError(prop, `must be true or false; got ${describeValue(given[prop])}`);
  }
  validateScheduleType(given.schedule);
  for (const [prop, kind] of LIST_PROPS) {
    if (present(prop) && !Array.isArray(given[prop])) throw propsError(prop, `must be ${kind}; got ${describeValue(given[prop])}`);
  }
}

/**
 * A schedule must be a HopaeRotationSchedule: from plain JavaScript (or Python) a string such as
 * 'rate(30 days)' type-checks nowhere and would otherwise render empty RotationRules.
 */
function validateScheduleType(schedule: unknown): void {
  if (schedule === undefined || schedule instanceof HopaeRotationSchedule) return;
  const got = typeof schedule === 'string' ? `the string '${schedule}'` : `a ${schedule === null ? 'null' : typeof schedule} that is not one`;
  throw propsError('schedule', `must be built with HopaeRotationSchedule.rate() or HopaeRotationSchedule.cron(), e.g. HopaeRotationSchedule.rate(Duration.days(30)); got ${got}`);
}
