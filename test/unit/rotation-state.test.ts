/** The rotation state table, row by row, as a pure function of what the versions hold. */
import { type Candidate, classifyConfiguration, classifyVersions, HOPAE_REPLAY_MS } from '../../cli/rotation-state';
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

  it('no function attached is function-missing; a sound configuration reads the versions', () => {
    expect(classifyConfiguration(secret([]), undefined)?.state).toBe('function-missing');
    expect(classifyConfiguration(secret([]), FN)).toBeUndefined();
  });
});

describe('classifyVersions', () => {
  const c = version('c', ['AWSCURRENT']);
  const p = version('p', ['AWSPENDING']);

  it.each([
    ['clean', [c], [judged('current', 'c', 'accepted')], [], 'nothing'],
    ['first-rotation', [c], [judged('current', 'c', 'no clientSecret')], [], 'nothing'],
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
    const row = classifyVersions(secret([...versions]), candidates, NOW);
    expect(row.state).toBe(state);
    expect(row.moves.map((m) => (m.moveTo ? `${m.stage}→${m.moveTo}` : `${m.stage}×${m.removeFrom}`))).toEqual(moves);
    expect(row.then).toBe(then);
  });

  it('a valueless pending rotation older than 24 hours is expired: remove AWSPENDING, then rotate', () => {
    const old = version('p', ['AWSPENDING'], HOPAE_REPLAY_MS + 1);
    const row = classifyVersions(secret([c, old]), [judged('pending', 'p', 'no value'), judged('current', 'c', 'rejected')], NOW);
    expect({ state: row.state, then: row.then, moves: row.moves.map((m) => m.removeFrom) }).toEqual({ state: 'pending-empty-expired', then: 'rotate', moves: ['p'] });
  });

  it('never advises the command the operator just ran without a change of state', () => {
    const row = classifyVersions(secret([c, p]), [judged('pending', 'p', 'rejected'), judged('current', 'c', 'rejected')], NOW);
    expect(row.action).toMatch(/--yes`\), then run `hopae-rotation rotate hopae\/apps\/X --wait`/);
  });
});
