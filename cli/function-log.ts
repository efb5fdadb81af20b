/**
 * Reads the rotation function's own account of a rotation from its CloudWatch Logs group: the
 * "Rotation step failed" line the handler writes (step, errorCode, error message), found by the
 * rotation's token (the version id, which every line of that rotation carries; never the
 * RotationToken, which is never logged).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';

export interface StepFailure {
  readonly step: string;
  readonly errorCode: string;
  readonly message: string;
}

export type LogLook =
  | { readonly kind: 'failed'; readonly failure: StepFailure }
  | { readonly kind: 'nothing' }
  /** The log cannot be read (permissions, say): --wait falls back to watching the versions. */
  | { readonly kind: 'unreadable'; readonly reason: string };

/** One line the function logged for a rotation: when, and the step failure it reports, if it is one. */
export interface LoggedEvent {
  readonly timestamp: number;
  readonly failure: StepFailure | undefined;
}

export type RotationLog = { readonly kind: 'read'; readonly events: LoggedEvent[] } | { readonly kind: 'unreadable'; readonly reason: string };

/** Every line of rotation `token` logged since `sinceMs`, oldest first; no log group yet reads as no lines. */
export async function readRotationLog(logs: CloudWatchLogsClient, logGroupName: string, token: string, sinceMs: number): Promise<RotationLog> {
  const events: LoggedEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName, filterPattern: `"${token}"`, startTime: sinceMs, nextToken }));
      for (const event of page.events ?? []) events.push({ timestamp: event.timestamp ?? 0, failure: parseFailure(event.message ?? '', token) });
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return { kind: 'read', events: [] };
    return { kind: 'unreadable', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  return { kind: 'read', events };
}

/** The first step failure of rotation `token` logged since `sinceMs`, if any. */
export async function findStepFailure(logs: CloudWatchLogsClient, logGroupName: string, token: string, sinceMs: number): Promise<LogLook> {
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName, filterPattern: `"${token}"`, startTime: sinceMs, nextToken }));
      for (const event of page.events ?? []) {
        const failure = parseFailure(event.message ?? '', token);
        if (failure) return { kind: 'failed', failure };
      }
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    // No log group yet: the function has not logged anything.
    if (error instanceof ResourceNotFoundException) return { kind: 'nothing' };
    return { kind: 'unreadable', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  return { kind: 'nothing' };
}

/** A Powertools JSON line of the handler's failure for this token, else undefined. */
export function parseFailure(line: string, token: string): StepFailure | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (record.token !== token || record.level !== 'ERROR' || typeof record.errorCode !== 'string') return undefined;
  const error = record.error as { name?: unknown; message?: unknown } | undefined;
  return {
    step: typeof record.step === 'string' ? record.step : 'unknown step',
    errorCode: record.errorCode,
    message: typeof error?.message === 'string' ? error.message : String(record.message ?? ''),
  };
}
