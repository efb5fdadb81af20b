/** Small CLI helpers: "did you mean", the failure line from the function's log, the version. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { findStepFailure, parseFailure } from '../../cli/function-log';
import { closest } from '../../cli/suggest';
import { packageVersion } from '../../cli/version';

describe('closest', () => {
  it.each([
    ['--wiat', ['--wait', '--timeout', '--local'], '--wait'],
    ['rotat', ['rotate', 'status', 'doctor', 'recover'], 'rotate'],
    ['--frobnicate', ['--wait', '--timeout'], undefined],
  ])('%s → %s', (given, known, expected) => {
    expect(closest(given, known)).toBe(expected);
  });
});

describe('parseFailure', () => {
  const line = (record: Record<string, unknown>) => `2026-11-27T08:00:00Z\t${JSON.stringify(record)}`;
  const failed = { level: 'ERROR', message: 'Rotation step failed', step: 'testSecret', token: 't1', errorCode: 'HOPAE_REJECTED', error: { name: 'HopaeRejectedError', message: 'pending pair rejected' } };

  it('reads the step, code and message of this token\'s failure', () => {
    expect(parseFailure(line(failed), 't1')).toEqual({ step: 'testSecret', errorCode: 'HOPAE_REJECTED', message: 'pending pair rejected' });
  });

  it.each([
    ['another rotation', line(failed), 't2'],
    ['a warning', line({ ...failed, level: 'WARN' }), 't1'],
    ['a line that is not JSON', 'error running docker', 't1'],
  ])('ignores %s', (_name, text, token) => {
    expect(parseFailure(text, token)).toBeUndefined();
  });
});

describe('findStepFailure', () => {
  const logs = mockClient(CloudWatchLogsClient);
  afterEach(() => logs.reset());
  const failed = JSON.stringify({ level: 'ERROR', step: 'createSecret', token: 't1', errorCode: 'HOPAE_UNAVAILABLE', error: { message: 'Hopae kept failing' } });

  it('pages through the events filtered by the token', async () => {
    logs
      .on(FilterLogEventsCommand, { nextToken: undefined })
      .resolves({ events: [{ message: 'START RequestId: 1' }], nextToken: 'n2' })
      .on(FilterLogEventsCommand, { nextToken: 'n2' })
      .resolves({ events: [{ message: failed }] });

    const look = await findStepFailure(new CloudWatchLogsClient({ region: 'us-east-1' }), '/aws/lambda/f', 't1', 1000);

    expect(look).toEqual({ kind: 'failed', failure: { step: 'createSecret', errorCode: 'HOPAE_UNAVAILABLE', message: 'Hopae kept failing' } });
    expect(logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input).toMatchObject({ logGroupName: '/aws/lambda/f', filterPattern: '"t1"', startTime: 1000 });
  });

  it('a log group not there yet is nothing to report', async () => {
    logs.on(FilterLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'no group', $metadata: {} }));
    expect(await findStepFailure(new CloudWatchLogsClient({ region: 'us-east-1' }), 'g', 't1', 0)).toEqual({ kind: 'nothing' });
  });

  it('a refusal is unreadable, with the reason', async () => {
    const client = new CloudWatchLogsClient({ region: 'us-east-1' });
    const denied = Object.assign(new Error('not authorized to perform logs:FilterLogEvents'), { name: 'AccessDeniedException' });
    logs.on(FilterLogEventsCommand).rejects(denied);
    expect(await findStepFailure(client, 'g', 't1', 0)).toEqual({ kind: 'unreadable', reason: 'AccessDeniedException: not authorized to perform logs:FilterLogEvents' });
  });
});

it('packageVersion reads the package\'s own package.json', () => {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  expect(packageVersion()).toBe(version);
  expect(packageVersion('/')).toBe('unknown');
});
