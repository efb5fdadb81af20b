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
  try {
    for await (const line of rotationLogLines(logs, logGroupName, token, sinceMs)) events.push({ timestamp: line.timestamp, failure: parseFailure(line.message, token) });
  } catch (error) {
    const reason = unreadableReason(error);
    if (reason !== undefined) return { kind: 'unreadable', reason };
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  return { kind: 'read', events };
}

/** The first step failure of rotation `token` logged since `sinceMs`, if any. */
export async function findStepFailure(logs: CloudWatchLogsClient, logGroupName: string, token: string, sinceMs: number): Promise<LogLook> {
  try {
    // Returning from the loop stops the paging: no page is read past the first failure.
    for await (const line of rotationLogLines(logs, logGroupName, token, sinceMs)) {
      const failure = parseFailure(line.message, token);
      if (failure) return { kind: 'failed', failure };
    }
  } catch (error) {
    const reason = unreadableReason(error);
    if (reason !== undefined) return { kind: 'unreadable', reason };
  }
  return { kind: 'nothing' };
}

/** The lines of rotation `token` (every line carries its version id) logged since `sinceMs`, page by page. */
async function* rotationLogLines(logs: CloudWatchLogsClient, logGroupName: string, token: string, sinceMs: number): AsyncGenerator<{ timestamp: number; message: string }> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName, filterPattern: `"${token}"`, startTime: sinceMs, nextToken }));
    for (const event of page.events ?? []) yield { timestamp: event.timestamp ?? 0, message: event.message ?? '' };
    nextToken = page.nextToken;
  } while (nextToken);
}

/** Why the log could not be read; undefined when it has no log group yet: the function has not logged anything. */
function unreadableReason(error: unknown): string | undefined {
  if (error instanceof ResourceNotFoundException) return undefined;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
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
