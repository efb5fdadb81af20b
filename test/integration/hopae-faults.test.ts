/**
 * Hopae failing around its commit point. Hopae kills the old secret when it commits, so each case
 * must end with exactly one real rotation at Hopae and AWSCURRENT holding the pair Hopae accepts.
 */
import type { Fault, FaultAction } from '../../local/hopae-stand-in';
import { expectNoSecretsLogged, outcomes, useIntegrationHarness } from '../support/integration-harness';

// Requests time out after 1 s; attempts are many but short, so the time budget is what ends them.
const h = useIntegrationHarness({ env: { HOPAE_REQUEST_TIMEOUT_MS: '1000', HOPAE_ROTATE_MAX_ATTEMPTS: '30' } });
const ALL_FOUR = ['createSecret:created', 'setSecret:nothing-to-set', 'testSecret:pending-verified', 'finishSecret:finished'];

describe('faults after Hopae committed the new secret', () => {
  it.each<[string, FaultAction]>([
    ['a dropped connection', { type: 'drop' }],
    ['500', { type: 'status', status: 500 }],
    ['503 with an HTML body', { type: 'status', status: 503, shape: 'html' }],
    ['200 with HTML', { type: 'raw', status: 200, body: '<!DOCTYPE html><html><body>OK</body></html>', contentType: 'text/html' }],
    ['201 with an empty clientSecret', { type: 'raw', status: 201, body: '{"clientSecret":""}' }],
    ['201 with an empty body', { type: 'raw', status: 201, body: '' }],
    // 10 KB on the wire, 10 MB once fetch decompresses it: read no further than the 64 KiB cap.
    ['201 with a gzip answer that inflates to 10 MB', { type: 'raw', status: 201, body: `{"clientSecret":"${'a'.repeat(10 * 2 ** 20)}"}`, gzip: true }],
    ['201 with a body that is not UTF-8', { type: 'raw', status: 201, body: Buffer.concat([Buffer.from('{"clientSecret":"abc'), Buffer.from([0xff, 0xfe]), Buffer.from('def"}')]) }],
    ['201 with a clientSecret holding control characters', { type: 'raw', status: 201, body: '{"clientSecret":"abc\\u0007def"}' }],
    ['201 with a clientSecret of 100,000 characters', { type: 'raw', status: 201, body: `{"clientSecret":"${'b'.repeat(100_000)}"}` }],
    ["201 naming another app's clientId", { type: 'raw', status: 201, body: '{"clientId":"SomeoneElse","clientSecret":"' + 'c'.repeat(64) + '"}' }],
  ])('%s: the replay brings the same secret, stored and finished', async (_name, action) => {
    const { arn, clientId } = await h.createApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'after-commit', clientId, action });

    const { runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(ALL_FOUR);
    expect(h.standIn.rotations(clientId)).toBe(1);
    const rotateCalls = h.standIn.requests.filter((r) => r.route === 'rotate' && r.clientId === clientId);
    expect(rotateCalls.map((r) => [r.faulted ?? false, r.replayed ?? false])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(new Set(rotateCalls.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('an outage that outlasts the invocation fails the rotation; the retried rotation recovers the committed secret', async () => {
    const { arn, clientId } = await h.createApp();
    const outage: Fault = { route: 'rotate', phase: 'after-commit', clientId, action: { type: 'status', status: 503 }, times: 1000 };
    h.standIn.injectFault(outage);
    const token = await h.begin(arn);

    const failed = await h.run(arn, token);

    expect(outcomes(failed)).toEqual(['createSecret:HopaeUnavailableError']);
    expect(failed[0]!.error!.message).toMatch(/Retry this rotation within 24 hours/);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect((await h.stages(arn))[token]).toEqual(['AWSPENDING']); // still no value: nothing unverified was stored

    // Secrets Manager retries the whole rotation later with the same token.
    h.standIn.clearFaults();
    const retried = await h.run(arn, token);

    expect(outcomes(retried)).toEqual(ALL_FOUR);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(await h.currentAccepted(arn)).toBe(true);
  });
});

describe('faults before Hopae committed', () => {
  it('503 twice, then success: one rotation', async () => {
    const { arn, clientId } = await h.createApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'status', status: 503 }, times: 2 });

    const { runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(ALL_FOUR);
    expect(h.standIn.count('rotate', clientId)).toBe(3);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('429 with Retry-After is honoured', async () => {
    const { arn, clientId } = await h.createApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'status', status: 429, retryAfter: '0' } });

    const { runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(ALL_FOUR);
    expect(h.standIn.rotations(clientId)).toBe(1);
  });

  it('an outage for the whole invocation rotates nothing and leaves the current pair working', async () => {
    const { arn, clientId } = await h.createApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'status', status: 503 }, times: 1000 });
    const token = await h.begin(arn);

    const failed = await h.run(arn, token);

    expect(outcomes(failed)).toEqual(['createSecret:HopaeUnavailableError']);
    expect(h.standIn.rotations(clientId)).toBe(0);
    expect(await h.currentAccepted(arn)).toBe(true);
    h.standIn.clearFaults();
  });

  it('a rotation still in progress at Hopae: the timed-out request, then 409 IN_PROGRESS, then the replay', async () => {
    const { arn, clientId } = await h.createApp();
    // Hopae takes 2 s to commit; the function's requests time out after 1 s. The retry must reach Hopae
    // before the commit to be answered 409: 1 s of margin (with 1.3 s, a worker stalled for 0.3 s on a
    // loaded machine got the replay at once, and no 409).
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'delay', ms: 2000 } });

    const { runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(ALL_FOUR);
    expect(h.standIn.rotations(clientId)).toBe(1);
    const answers = h.standIn.requests.filter((r) => r.route === 'rotate' && r.clientId === clientId).map((r) => r.outcome);
    expect(answers).toContain(409);
    expect(answers[answers.length - 1]).toBe(201);
    expect(await h.currentAccepted(arn)).toBe(true);
  });
});

describe('logging under faults', () => {
  it('logged no secret, key or RotationToken', () => {
    expect(h.output.records().some((r) => r.message === 'Hopae call failed, retrying')).toBe(true);
    expectNoSecretsLogged(h);
  });
});
