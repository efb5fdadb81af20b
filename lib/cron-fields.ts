/**
 * The fields of an AWS cron expression (EventBridge syntax, which Secrets Manager's rotation
 * schedules use: "Cron expressions" in the EventBridge Scheduler user guide): values, lists (,),
 * ranges (-), increments (/), and the day fields' ?, L, W and #. Returns a problem or undefined.
 */

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted as values (JAN–DEC, SUN–SAT), mapped to their numbers, and how to say so. */
  readonly names?: { readonly values: readonly string[]; readonly base: number; readonly range: string };
  /** Day-of-month: L, LW and nW. */
  readonly dayOfMonth?: boolean;
  /** Day-of-week: nL and n#k. */
  readonly dayOfWeek?: boolean;
  /** May be '?' (the day fields). */
  readonly question?: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export const CRON_FIELDS = {
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31, dayOfMonth: true, question: true },
  month: { name: 'month', min: 1, max: 12, names: { values: MONTHS, base: 1, range: '1-12 or JAN-DEC' } },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: { values: WEEKDAYS, base: 1, range: '1-7 or SUN-SAT' }, dayOfWeek: true, question: true },
} as const satisfies Record<string, FieldRule>;

/** Why `field` is not a valid value of the cron field `rule`, or undefined when it is. */
export function cronFieldProblem(rule: FieldRule, field: string): string | undefined {
  if (field === '?' && rule.question) return undefined;
  for (const item of field.split(',')) {
    if (!itemIsValid(rule, item)) {
      const range = rule.names?.range ?? `${rule.min}-${rule.max}`;
      const extras = [rule.question ? '?' : '', rule.dayOfMonth ? 'L, LW, nW' : '', rule.dayOfWeek ? 'nL, n#k' : ''].filter(Boolean).join(', ');
      return `cron ${rule.name} field has '${item}': each item must be *, a value ${range}, a range a-b or an increment x/n${extras ? `, or ${extras}` : ''}`;
    }
  }
  return undefined;
}

function itemIsValid(rule: FieldRule, item: string): boolean {
  if (item === '*') return true;
  if (rule.dayOfMonth) {
    if (item === 'L' || item === 'LW') return true;
    const weekday = /^(\d{1,2})W$/.exec(item);
    if (weekday) return inRange(rule, Number(weekday[1]));
  }
  if (rule.dayOfWeek) {
    const last = /^(\w+)L$/.exec(item);
    if (last) return valueOf(rule, last[1]!) !== undefined;
    const nth = /^(\w+)#([1-5])$/.exec(item);
    if (nth) return valueOf(rule, nth[1]!) !== undefined;
  }
  const [base, step, ...rest] = item.split('/');
  if (rest.length > 0) return false;
  if (step !== undefined && (!/^\d{1,2}$/.test(step) || Number(step) < 1 || Number(step) > rule.max)) return false;
  if (base === '*' && step !== undefined) return true;
  const [from, to, ...more] = base!.split('-');
  if (more.length > 0) return false;
  const start = valueOf(rule, from!);
  if (start === undefined) return false;
  if (to === undefined) return true;
  const end = valueOf(rule, to);
  return end !== undefined && end >= start;
}

function valueOf(rule: FieldRule, text: string): number | undefined {
  if (/^\d{1,2}$/.test(text)) return inRange(rule, Number(text)) ? Number(text) : undefined;
  const index = rule.names?.values.indexOf(text.toUpperCase()) ?? -1;
  return index < 0 ? undefined : index + rule.names!.base;
}

function inRange(rule: FieldRule, value: number): boolean {
  return value >= rule.min && value <= rule.max;
}
