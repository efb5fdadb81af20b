/** Small CLI helpers: "did you mean", the failure line from the function's log, the version. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFailure } from '../../cli/function-log';
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

it('packageVersion reads the package\'s own package.json', () => {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  expect(packageVersion()).toBe(version);
  expect(packageVersion('/')).toBe('unknown');
});
