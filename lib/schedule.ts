import { Duration, Token } from 'aws-cdk-lib';
import { CRON_FIELDS, cronFieldProblem } from './cron-fields';
import { HopaeSecretRotationPropsError } from './errors';

// Secrets Manager's limits for a rotation interval (user guide, "Rotation schedules").
const MIN_INTERVAL = Duration.hours(4);
const MAX_INTERVAL = Duration.days(999);
const HOUR_MS = Duration.hours(1).toMilliseconds();
const DAY_MS = Duration.days(1).toMilliseconds();

/** When a rotation window may open, as far as the expression tells: what the window is checked against. */
type WindowLimit =
  | { readonly kind: 'hours'; readonly intervalHours: number } // rate in hours: window <= interval
  | { readonly kind: 'day'; readonly startHour: number } // opens at startHour: start + window <= 24
  | { readonly kind: 'unknown' }; // a token, or a cron too rich to check here

/**
 * When Secrets Manager rotates: a rate or a cron expression. CDK's own RotationSchedule renders
 * only rate(); this renders either into the CloudFormation ScheduleExpression.
 */
export class HopaeRotationSchedule {
  /** Every `interval`: 4 to 23 whole hours, or 1 to 999 whole days. */
  static rate(interval: Duration): HopaeRotationSchedule {
    if (interval.isUnresolved()) throw new HopaeSecretRotationPropsError('schedule', 'rate must be a concrete Duration, not a token');
    const ms = interval.toMilliseconds();
    if (ms < MIN_INTERVAL.toMilliseconds() || ms > MAX_INTERVAL.toMilliseconds()) {
      throw new HopaeSecretRotationPropsError('schedule', `rate must be between 4 hours and 999 days; got ${interval.toHumanString()}`);
    }
    if (ms % DAY_MS === 0) {
      const days = ms / DAY_MS;
      return new HopaeRotationSchedule(`rate(${days} ${days === 1 ? 'day' : 'days'})`, { kind: 'day', startHour: 0 }, interval);
    }
    // Secrets Manager's rate() takes hours or days; hour rates reset each UTC day.
    if (ms % HOUR_MS !== 0 || ms >= DAY_MS) {
      throw new HopaeSecretRotationPropsError('schedule', `rate must be 4 to 23 whole hours or a whole number of days; got ${interval.toHumanString()}`);
    }
    const hours = ms / HOUR_MS;
    return new HopaeRotationSchedule(`rate(${hours} hours)`, { kind: 'hours', intervalHours: hours }, interval);
  }

  /**
   * A Secrets Manager cron expression, `cron(0 hours day-of-month month day-of-week *)`, e.g.
   * `cron(0 4 ? * SUN *)` for Sundays at 04:00 UTC. Minutes must be 0 (windows open on the hour)
   * and the year `*`.
   */
  static cron(expression: string): HopaeRotationSchedule {
    if (Token.isUnresolved(expression)) return new HopaeRotationSchedule(expression, { kind: 'unknown' }, undefined);
    const match = /^cron\((.*)\)$/.exec(expression.trim());
    const fields = match?.[1]!.trim().split(/\s+/) ?? [];
    if (fields.length !== 6) {
      throw new HopaeSecretRotationPropsError(
        'schedule',
        `cron must look like cron(minutes hours day-of-month month day-of-week year) with 6 fields; got '${expression}'`,
      );
    }
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
    if (minutes !== '0') throw new HopaeSecretRotationPropsError('schedule', `cron minutes must be 0 (rotation windows open on the hour); got '${expression}'`);
    if (year !== '*') throw new HopaeSecretRotationPropsError('schedule', `cron year must be *; got '${expression}'`);
    if (dayOfMonth !== '?' && dayOfWeek !== '?') {
      throw new HopaeSecretRotationPropsError('schedule', `cron needs '?' in day-of-month or day-of-week; got '${expression}'`);
    }
    const fieldProblem =
      cronFieldProblem(CRON_FIELDS.hours, hours) ??
      cronFieldProblem(CRON_FIELDS.dayOfMonth, dayOfMonth) ??
      cronFieldProblem(CRON_FIELDS.month, month) ??
      cronFieldProblem(CRON_FIELDS.dayOfWeek, dayOfWeek);
    if (fieldProblem !== undefined) throw new HopaeSecretRotationPropsError('schedule', `${fieldProblem}; got '${expression}'`);
    return new HopaeRotationSchedule(`cron(${fields.join(' ')})`, cronWindowLimit(hours), cronLongestInterval(hours, dayOfMonth, month, dayOfWeek));
  }

  private constructor(
    /** The ScheduleExpression Secrets Manager receives. */
    readonly expressionString: string,
    private readonly windowLimit: WindowLimit,
    /**
     * The longest time between two scheduled starts, when the expression makes it plain (a rate;
     * a cron on one hour of every day, one weekday or one day of the month): what the rotation
     * audit allows before it calls a secret overdue. Undefined for richer crons.
     */
    readonly longestInterval: Duration | undefined,
  ) {}

  /**
   * The rotation window as Secrets Manager writes it ("3h"): whole hours, at least 1, not reaching
   * the next rotation window or the next UTC day.
   */
  renderWindow(window: Duration): string {
    if (window.isUnresolved()) throw new HopaeSecretRotationPropsError('rotationWindow', 'must be a concrete Duration, not a token');
    const ms = window.toMilliseconds();
    if (ms % HOUR_MS !== 0 || ms < HOUR_MS || ms > DAY_MS) {
      throw new HopaeSecretRotationPropsError('rotationWindow', `must be whole hours from 1 to 24; got ${window.toHumanString()}`);
    }
    const hours = ms / HOUR_MS;
    const limit = this.windowLimit;
    if (limit.kind === 'hours' && hours > limit.intervalHours) {
      throw new HopaeSecretRotationPropsError('rotationWindow', `of ${hours}h reaches into the next rotation of ${this.expressionString}`);
    }
    if (limit.kind === 'day' && limit.startHour + hours > 24) {
      throw new HopaeSecretRotationPropsError(
        'rotationWindow',
        `of ${hours}h opening at ${limit.startHour}:00 UTC (${this.expressionString}) reaches into the next UTC day`,
      );
    }
    return `${hours}h`;
  }
}

/** A single start hour ("4") or a start with an hourly step ("4/12") can be checked; other forms are left to Secrets Manager. */
function cronWindowLimit(hours: string): WindowLimit {
  const single = /^(\d{1,2})$/.exec(hours);
  if (single) return { kind: 'day', startHour: Number(single[1]) };
  const stepped = /^(\d{1,2})\/(\d{1,2})$/.exec(hours);
  if (stepped) return { kind: 'hours', intervalHours: Math.min(Number(stepped[2]), 24 - Number(stepped[1])) };
  return { kind: 'unknown' };
}

/** Daily, weekly (one weekday) or monthly (one day of the month) at a single hour; anything else is left unknown. */
function cronLongestInterval(hours: string, dayOfMonth: string, month: string, dayOfWeek: string): Duration | undefined {
  if (!/^\d{1,2}$/.test(hours) || month !== '*') return undefined;
  if ((dayOfMonth === '*' && dayOfWeek === '?') || (dayOfMonth === '?' && dayOfWeek === '*')) return Duration.days(1);
  if (dayOfMonth === '?' && /^([1-7]|[A-Za-z]{3})$/.test(dayOfWeek)) return Duration.days(7);
  // A day up to 28 comes every month; the longest gap between two is 31 days.
  if (dayOfWeek === '?' && /^\d{1,2}$/.test(dayOfMonth) && Number(dayOfMonth) <= 28) return Duration.days(31);
  return undefined;
}
