/**
 * The deployed artefact itself: the built bundle (which the construct uploads byte for byte), loaded
 * in its own Node process like a Lambda execution environment, rotating against moto_server and the stand-in.
 */
import { builtFunctionPath } from '../../local/built-function';
import { expectNoSecretsLogged, outcomes, useIntegrationHarness } from '../support/integration-harness';
import { startLambdaContainer } from '../support/lambda-container';

const h = useIntegrationHarness({
  env: { POWERTOOLS_LOG_LEVEL: 'INFO' },
  loadHandler: async (capture) => startLambdaContainer(builtFunctionPath(), capture),
});

const ALL_FOUR = ['createSecret:created', 'setSecret:nothing-to-set', 'testSecret:pending-verified', 'finishSecret:finished'];

describe('the bundled function', () => {
  it('rotates a secret end to end', async () => {
    const { arn, clientId } = await h.createApp({ extra: { team: 'kyc' } });

    const { runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(ALL_FOUR);
    expect(await h.currentAccepted(arn)).toBe(true);
    expect((await h.currentValue(arn)).team).toBe('kyc');
    expect(h.standIn.rotations(clientId)).toBe(1);
  });

  it('recovers from a connection dropped after Hopae committed', async () => {
    const { arn, clientId } = await h.createApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'after-commit', clientId, action: { type: 'drop' } });

    const { runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(ALL_FOUR);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('fails a malformed secret with its specific error', async () => {
    const { arn } = await h.createApp({ value: '{"client_id":"x"}' });

    const { runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(['createSecret:MalformedSecretError']);
  });

  it('wrote its structured logs, with no secret, key or RotationToken', () => {
    expect(h.output.records().filter((r) => r.message === 'Rotation step succeeded').length).toBeGreaterThanOrEqual(8);
    expectNoSecretsLogged(h);
  });
});
