import { createHash } from 'node:crypto';
import { Duration, Token } from 'aws-cdk-lib';
import type { CfnRotationSchedule, CfnSecret, ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { HopaeRotationSchedule } from './schedule';

/** Default window of a spread schedule: Secrets Manager starts the rotation within 2 hours of the cron's hour. */
export const SPREAD_WINDOW = Duration.hours(2);

/** Longest gap between two starts of a monthly schedule (a 31-day month). */
export const SPREAD_LONGEST_INTERVAL = Duration.days(31);

// Days 1–28 exist in every month.
const SPREAD_DAYS = 28;

/** A secret's spread schedule and the key it was derived from. */
export interface SpreadSchedule {
  readonly schedule: HopaeRotationSchedule;
  readonly window: Duration;
  /** What the hash was taken of: the secret's name, or its construct path when the name is a deploy-time token. */
  readonly key: string;
}

/**
 * A monthly schedule for one secret, `cron(0 H D * ? *)`, with day and hour from a hash of the
 * secret's name, so a fleet spreads over ~28 × 23 start times and each secret keeps its slot
 * across synths and list reorderings. A name CloudFormation only knows at deploy time (a secret
 * created elsewhere in the app with a generated name) hashes its construct path instead: stable
 * as long as the construct tree is.
 */
export function spreadScheduleFor(secret: ISecret, window: Duration = SPREAD_WINDOW): SpreadSchedule {
  const key = knownName(secret) ?? `path:${secret.node.path}`;
  const { schedule } = spreadScheduleForKey(key, window);
  return { schedule, window, key };
}

/**
 * The secret's name when synth knows it: an imported secret's `secretName`, or the name a secret
 * created in this app was given (its `secretName` is then a token parsed from the ARN).
 */
function knownName(secret: ISecret): string | undefined {
  if (!Token.isUnresolved(secret.secretName)) return secret.secretName;
  const given = (secret.node.defaultChild as CfnSecret | undefined)?.name;
  return given !== undefined && !Token.isUnresolved(given) ? given : undefined;
}

/** The schedule for a given hash key; exported for the bench, which simulates a fleet's start times. */
export function spreadScheduleForKey(key: string, window: Duration = SPREAD_WINDOW): { schedule: HopaeRotationSchedule; day: number; hour: number } {
  const digest = createHash('sha256').update(key).digest();
  const day = 1 + (digest.readUInt32BE(0) % SPREAD_DAYS);
  // Start hours that keep the window inside the UTC day: 0–22 for the default 2 hours.
  const startHours = 25 - Math.max(1, Math.ceil(window.toHours({ integral: false })));
  const hour = digest.readUInt32BE(4) % Math.max(1, startHours);
  const schedule = HopaeRotationSchedule.cron(`cron(0 ${hour} ${day} * ? *)`);
  // Checked as any explicit schedule's window is (whole hours, 1–24, inside the UTC day).
  schedule.renderWindow(window);
  return { schedule, day, hour };
}

/** Checks a window given for spread schedules as an explicit schedule's window is checked (whole hours, 1–24). */
export function validateSpreadWindow(window: Duration): void {
  HopaeRotationSchedule.cron('cron(0 0 1 * ? *)').renderWindow(window);
}

/** How the construct schedules its secrets: each secret's RotationRules, and what the audit needs to know of them. */
export interface RotationRulesPlan {
  readonly rulesFor: (secret: ISecret) => CfnRotationSchedule.RotationRulesProperty;
  /** The longest time between two scheduled starts, when known. */
  readonly longestInterval: Duration | undefined;
  /** The rotation window, when one is set. */
  readonly window: Duration | undefined;
}

/**
 * An explicit `schedule` (with `rotationWindow`) for every secret; otherwise, unless spreading is
 * off, each secret's spread schedule; otherwise every 30 days. Windows are checked here, before
 * the construct creates anything.
 */
export function planRotationRules(props: { schedule?: HopaeRotationSchedule; spreadSchedules?: boolean; rotationWindow?: Duration }): RotationRulesPlan {
  if (props.schedule === undefined && props.spreadSchedules !== false) {
    const window = props.rotationWindow ?? SPREAD_WINDOW;
    validateSpreadWindow(window);
    return {
      rulesFor: (secret) => {
        const { schedule } = spreadScheduleFor(secret, window);
        return { scheduleExpression: schedule.expressionString, duration: schedule.renderWindow(window) };
      },
      longestInterval: SPREAD_LONGEST_INTERVAL,
      window,
    };
  }
  const schedule = props.schedule ?? HopaeRotationSchedule.rate(Duration.days(30));
  const duration = props.rotationWindow === undefined ? undefined : schedule.renderWindow(props.rotationWindow);
  return {
    rulesFor: () => ({ scheduleExpression: schedule.expressionString, ...(duration ? { duration } : {}) }),
    longestInterval: schedule.longestInterval,
    window: props.rotationWindow,
  };
}
