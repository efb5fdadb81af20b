/**
 * Consumer continuity figures from raw call records: calls, failed calls, and lock-outs. A
 * lock-out is the time a consumer's latest answer was a failure: from the end of the first failed
 * call of a run of failures to the end of the next call that succeeded (or the end of the run, when
 * none did). Each lock-out counts for the rotation whose Hopae commit came last before it began.
 */

/** One call of a consumer, on the epoch-millisecond clock of Date.now(). */
export interface CallRecord {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
}

export interface Lockout {
  readonly from: number;
  readonly to: number;
  /** No call succeeded after it: it lasted at least until the end of the run. */
  readonly open: boolean;
}

export interface ConsumerFigures {
  readonly consumer: string;
  readonly calls: number;
  readonly failures: number;
  /** Per rotation (in order), the ms it was locked out; 0 when it was not. */
  readonly lockoutMsPerRotation: readonly number[];
  /** The longest of those. */
  readonly longestLockoutMs: number;
  /** Its last calls failed: locked out at least until the run ended (a cache that outlived the run). */
  readonly lockedOutAtEnd: boolean;
}

export function lockouts(records: readonly CallRecord[], runEnd: number): Lockout[] {
  const sorted = [...records].sort((a, b) => a.start - b.start);
  const found: Lockout[] = [];
  let from: number | undefined;
  for (const call of sorted) {
    if (!call.ok) from ??= call.end;
    else if (from !== undefined) {
      found.push({ from, to: call.end, open: false });
      from = undefined;
    }
  }
  if (from !== undefined) found.push({ from, to: runEnd, open: true });
  return found;
}

/** Calls, failures and lock-outs by rotation; `commits` are the Hopae commit times, in order. */
export function consumerFigures(consumer: string, records: readonly CallRecord[], commits: readonly number[], runEnd: number): ConsumerFigures {
  const perRotation = commits.map(() => 0);
  const found = lockouts(records, runEnd);
  for (const lockout of found) {
    // The rotation whose commit came last before the lock-out began (a lock-out before any commit counts for the first).
    let rotation = 0;
    while (rotation + 1 < commits.length && commits[rotation + 1]! <= lockout.from) rotation += 1;
    if (perRotation.length > 0) perRotation[rotation] = perRotation[rotation]! + (lockout.to - lockout.from);
  }
  return {
    consumer,
    calls: records.length,
    failures: records.filter((r) => !r.ok).length,
    lockoutMsPerRotation: perRotation,
    longestLockoutMs: Math.max(0, ...perRotation, ...(perRotation.length === 0 ? found.map((l) => l.to - l.from) : [])),
    lockedOutAtEnd: found.some((l) => l.open),
  };
}

/** min / median / max, for printing. */
export function summarize(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { min: 0, median: 0, max: 0 };
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted[sorted.length - 1]! };
}
