/** The rotation state table, row by row, as a pure function of what the versions hold. */
import type { StepFailure } from '../../cli/function-log';
import { type AttemptHistory, type Candidate, classifyConfiguration, classifyVersions, HOPAE_REPLAY_MS, type Knowledge, NO_HISTORY } from '../../cli/rotation-state';
import type { FunctionInfo, SecretState, VersionInfo } from '../../cli/secrets';

const NOW = Date.parse('2026-11-27T08:00:00Z');
const version = (id: string, stages: string[], ageMs = 60_000): VersionInfo => ({ id, stages, created: new Date(NOW - ageMs) });

function secret(versions: VersionInfo[], rotationEnabled = true): SecretState {
  return {
    arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hopae/apps/X-abcdef',
    name: 'hopae/apps/X',
    rotationEnabled,
    rotationLambdaArn: FN.arn,
    lastRotated: undefined,
    nextRotation: undefined,
    versions,
    current: versions.find((v) => v.stages.includes('AWSCURRENT')),
    pending: versions.find((v) => v.stages.includes('AWSPENDING') && !v.stages.includes('AWSCURRENT')),
  };
}

const FN: FunctionInfo = { arn: 'arn:aws:lambda:us-east-1:123456789012:function:hopae-secret-rotation', ours: true, missing: false, logGroup: '/aws/lambda/hopae-secret-rotation', access: undefined };
const judged = (role: Candidate['role'], id: string, verdict: Candidate['verdict']): Candidate => ({ version: id, role, created: null, verdict });

describe('classifyConfiguration', () => {
  it.each([
    ['function-missing', { ...FN, ours: false, missing: true }, true],
    ['function-not-ours', { ...FN, ours: false }, true],
    ['rotation-disabled', FN, false],
  ] as const)('%s', (state, fn, enabled) => {
    expect(classifyConfiguration(secret([version('c', ['AWSCURRENT'])], enabled), fn)?.state).toBe(state);
  });

  it('rotation-disabled names a re-attach command whose --rotation-rules has the shape the AWS CLI takes, and where its values are', () => {
    const row = classifyConfiguration(secret([version('c', ['AWSCURRENT'])], false), FN)!;
    expect(row.action).toContain(
      `\`aws secretsmanager rotate-secret --secret-id hopae/apps/X --rotation-lambda-arn ${FN.arn} --rotation-rules '{"ScheduleExpression":"<expression>","Duration":"<window>"}' --no-rotate-immediately\``,
    );
    expect(row.action).toMatch(/the expression and window of its AWS::SecretsManager::RotationSchedule \(in the construct's app stacks: `cdk synth`, or the CloudFormation console; docs\/fleet\.md, RotationDisabled\)/);
  });

  it('no function attached is function-missing; a sound configuration reads the versions', () => {
    expect(classifyConfiguration(secret([]), undefined)?.state).toBe('function-missing');
    expect(classifyConfiguration(secret([]), FN)).toBeUndefined();
  });
});

const STUCK_AFTER = { minutes: 30, source: 'the default' };
const knowing = (history: AttemptHistory = NO_HISTORY): Knowledge => ({ stuckAfter: STUCK_AFTER, history });
const failure = (errorCode: string, step = 'createSecret'): StepFailure => ({ step, errorCode, message: `${errorCode} message` });

describe('classifyVersions', () => {
  const c = version('c', ['AWSCURRENT']);
  // Older than the in-flight threshold: settled.
  const p = version('p', ['AWSPENDING'], 40 * 60_000);

  it.each([
    ['clean', [c], [judged('current', 'c', 'accepted')], [], 'nothing'],
    ['first-rotation', [c], [judged('current', 'c', 'no clientSecret')], [], 'rotate'],
    ['hopae-unknown', [c, p], [judged('pending', 'p', 'unknown'), judged('current', 'c', 'accepted')], [], 'retry'],
    ['pending-accepted', [c, p], [judged('pending', 'p', 'accepted'), judged('current', 'c', 'rejected')], ['AWSCURRENT→p', 'AWSPENDING×p'], 'nothing'],
    ['pending-rejected', [c, p], [judged('pending', 'p', 'rejected'), judged('current', 'c', 'rejected')], ['AWSPENDING×p'], 'rotate'],
    ['pending-rejected', [c, p], [judged('pending', 'p', 'rejected'), judged('current', 'c', 'accepted')], ['AWSPENDING×p'], 'nothing'],
    ['pending-without-client-secret', [c, p], [judged('pending', 'p', 'no clientSecret'), judged('current', 'c', 'accepted')], ['AWSPENDING×p'], 'nothing'],
    ['pending-empty-current-accepted', [c, p], [judged('pending', 'p', 'no value'), judged('current', 'c', 'accepted')], ['AWSPENDING×p'], 'nothing'],
    ['pending-empty-replayable', [c, p], [judged('pending', 'p', 'no value'), judged('current', 'c', 'rejected')], [], 'rotate'],
    ['current-rejected-other-accepted', [c, version('u', [])], [judged('current', 'c', 'rejected'), judged('unlabelled', 'u', 'accepted')], ['AWSCURRENT→u'], 'nothing'],
    ['current-rejected-none-accepted', [c], [judged('current', 'c', 'rejected')], [], 'rotate'],
    ['current-malformed', [c], [judged('current', 'c', 'malformed')], [], 'manual'],
  ] as const)('%s', (state, versions, candidates, moves, then) => {
    const row = classifyVersions(secret([...versions]), candidates, NOW, knowing());
    expect(row.state).toBe(state);
    expect(row.moves.map((m) => (m.moveTo ? `${m.stage}→${m.moveTo}` : `${m.stage}×${m.removeFrom}`))).toEqual(moves);
    expect(row.then).toBe(then);
  });

  it('a valueless pending rotation older than 24 hours is expired: remove AWSPENDING, then rotate', () => {
    const old = version('p', ['AWSPENDING'], HOPAE_REPLAY_MS + 1);
    const row = classifyVersions(secret([c, old]), [judged('pending', 'p', 'no value'), judged('current', 'c', 'rejected')], NOW, knowing());
    expect({ state: row.state, then: row.then, moves: row.moves.map((m) => m.removeFrom) }).toEqual({ state: 'pending-empty-expired', then: 'rotate', moves: ['p'] });
  });

  it('never advises the command the operator just ran without a change of state', () => {
    const row = classifyVersions(secret([c, p]), [judged('pending', 'p', 'rejected'), judged('current', 'c', 'rejected')], NOW, knowing());
    expect(row.action).toMatch(/--yes`\), then run `hopae-rotation rotate hopae\/apps\/X --wait`/);
  });
});

describe('classifyVersions: what the function logged about the unfinished rotation', () => {
  const c = version('c', ['AWSCURRENT']);
  const p = version('p', ['AWSPENDING'], 40 * 60_000);
  const emptyPending = [judged('pending', 'p', 'no value'), judged('current', 'c', 'no clientSecret')];

  it.each(['HOPAE_REJECTED', 'MALFORMED_SECRET', 'CONFIGURATION'])('a createSecret that failed with %s committed nothing: pending-empty-refused, a named fix, never "Hopae probably rotated"', (code) => {
    const row = classifyVersions(secret([c, p]), emptyPending, NOW, knowing({ createFailures: [failure(code)], ended: true }));

    expect(row).toMatchObject({ state: 'pending-empty-refused', then: 'manual' });
    expect(row.summary).toContain(`${code}: ${code} message`);
    expect(row.moves).toEqual([expect.objectContaining({ stage: 'AWSPENDING', removeFrom: 'p' })]);
    expect(row.steps[1]).toEqual({ human: `fix what the failure names (docs/runbook.md, ${code})` });
    expect(row.action).not.toMatch(/probably/);
  });

  it.each(['HOPAE_UNAVAILABLE', 'HOPAE_PROTOCOL_VIOLATION', 'PENDING_NOT_STORED_AFTER_HOPAE_ROTATED', 'INVOCATION_TIMEOUT'])('%s may have followed a commit: replayable, rotate with the same token', (code) => {
    const row = classifyVersions(secret([c, p]), emptyPending, NOW, knowing({ createFailures: [failure(code)], ended: true }));

    expect(row).toMatchObject({ state: 'pending-empty-replayable', then: 'rotate', moves: [] });
    expect(row.summary).toContain(`its createSecret failed with ${code}, after which Hopae may have committed`);
  });

  it('a refusal after an attempt Hopae may have committed keeps AWSPENDING for the replay, and names the fix first', () => {
    const row = classifyVersions(secret([c, p]), emptyPending, NOW, knowing({ createFailures: [failure('HOPAE_UNAVAILABLE'), failure('HOPAE_REJECTED')], ended: true }));

    expect(row).toMatchObject({ state: 'pending-empty-replayable', then: 'manual', moves: [] });
    expect(row.steps).toEqual([{ human: expect.stringMatching(/^fix what the last failure names .*keeping AWSPENDING/) }, { run: 'hopae-rotation rotate hopae/apps/X --wait' }]);
  });

  it('an unreadable log is said, not guessed', () => {
    const row = classifyVersions(secret([c, p]), emptyPending, NOW, knowing({ unreadable: 'AccessDeniedException: no', createFailures: [], ended: false }));
    expect(row.summary).toMatch(/the function's log cannot be read to tell/);
  });
});

describe('classifyVersions: the in-flight threshold', () => {
  const c = version('c', ['AWSCURRENT']);
  const young = version('p', ['AWSPENDING'], 700);
  const candidates = [judged('pending', 'p', 'no value'), judged('current', 'c', 'accepted')];

  it('a pending version younger than stuckAfter, with no failure logged, is in flight: wait, and the settled row rides along', () => {
    const row = classifyVersions(secret([c, young]), candidates, NOW, knowing());

    expect(row).toMatchObject({ state: 'rotation-in-flight', then: 'wait' });
    expect(row.summary).toMatch(/began 0s ago, less than the in-flight threshold \(30 min, from the default\)/);
    expect(row.steps[0]).toEqual({ human: `wait until ${new Date(NOW - 700 + 30 * 60_000).toISOString()} (\`hopae-rotation status\` follows it)` });
    expect(row.ifStopped?.state).toBe('pending-empty-current-accepted');
  });

  it('is settled once older than the threshold, or once its function logged a failure as its last line', () => {
    expect(classifyVersions(secret([c, young]), candidates, NOW + 30 * 60_000, knowing()).state).toBe('pending-empty-current-accepted');
    expect(classifyVersions(secret([c, young]), candidates, NOW, knowing({ createFailures: [failure('HOPAE_REJECTED')], ended: true })).state).toBe('pending-empty-current-accepted');
    expect(classifyVersions(secret([c, young]), candidates, NOW, { stuckAfter: { minutes: 0.01, source: '--stuck-after' }, history: NO_HISTORY }).state).toBe('pending-empty-current-accepted');
  });
});
