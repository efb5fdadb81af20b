/** `hopae-rotation` rotate, status, doctor and its usage, against moto_server and the Hopae stand-in. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RotateSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { cliHarness, createPlainSecret, rotateElsewhere } from '../support/cli-harness';
import { expectNoSecretsLogged, outcomes, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness({ env: { HOPAE_REQUEST_TIMEOUT_MS: '500' } });
const c = cliHarness(h);
let functionArn: string;

beforeAll(async () => {
  functionArn = await c.createRotationFunction();
});

async function ourApp(options: Parameters<typeof h.createApp>[0] = {}) {
  const app = await h.createApp(options);
  await c.attach(app.arn, functionArn);
  return app;
}

describe('usage', () => {
  it.each([['--help'], ['rotate', '--help'], ['status', '-h'], ['doctor', '--help'], ['recover', '--help'], ['consumers', '--help']])('%s prints help and exits 0', async (...argv) => {
    const result = await c.cli(argv);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/hopae-rotation/);
  });

  it.each([
    [[], /Usage: hopae-rotation <command>/],
    [['rotat'], /unknown command "rotat"; did you mean "rotate"\?/],
    [['status', '--frobnicate'], /unknown option --frobnicate for status\. Options: --json, --help, --function, --stuck-after \(see `hopae-rotation help status`\)/],
    [['rotate', 'x', '--wiat'], /unknown option --wiat for rotate; did you mean --wait\?/],
    [['rotate', 'x', '--timeout'], /--timeout needs a value/],
    [['rotate'], /rotate takes one secret/],
    [['doctor', 'a', 'b'], /doctor takes one secret/],
    [['status', '--stuck-after', 'soon'], /--stuck-after must be a positive number/],
    [['help', 'rotat'], /unknown command "rotat"; did you mean "rotate"\?/],
  ])('%j exits 2 with a clear message', async (argv, message) => {
    const result = await c.cli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toMatch(message);
  });

  it.each([[['rotat', '--json']], [['status', '--frobnicate', '--json']], [['rotate', '--json']], [['status', '--stuck-after', 'soon', '--json']], [['doctor', 'no/such/secret', '--json']]])(
    '%j answers a usage error in JSON too',
    async (argv) => {
      const result = await c.cli(argv);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({ error: expect.any(String), exitCode: 2 });
    },
  );

  it('help <command> prints that command\'s help', async () => {
    const result = await c.cli(['help', 'rotate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^hopae-rotation rotate <secret>/);
  });

  it('--version prints the version of the package', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

    const result = await c.cli(['--version']);

    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: `${version}\n` });
  });

  it('a missing region names AWS_REGION (exit 2)', async () => {
    const saved = { ...process.env };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    try {
      const result = await c.cli(['status', '--json']);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({ error: expect.stringMatching(/No AWS region is configured: set AWS_REGION/), exitCode: 2 });
    } finally {
      Object.assign(process.env, saved);
      delete process.env.AWS_CONFIG_FILE;
    }
  });
});

describe('rotate', () => {
  it('starts a rotation and prints its version (Secrets Manager finishes it)', async () => {
    const { arn, clientId } = await ourApp();

    const result = await c.cli(['rotate', arn, '--json']);
    await Promise.all(c.serviceRuns);

    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { token: string; clientId: string; waited: boolean };
    expect(json).toMatchObject({ clientId, waited: false });
    expect((await h.stages(arn))[json.token]).toContain('AWSCURRENT');
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('--wait follows the steps until AWSCURRENT reaches the new version', async () => {
    const { arn, clientId } = await ourApp();
    // Hopae takes a moment to answer, so the wait's first look (three calls to moto) sees createSecret in
    // progress: 450 ms, just inside the function's 500 ms request timeout.
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'delay', ms: 450 } });

    const result = await c.cli(['rotate', arn, '--wait']);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/createSecret: waiting for Hopae/);
    expect(result.stderr).toMatch(/finished: AWSCURRENT is the new version/);
    expect(result.stdout).toMatch(/✔ .*: rotated \(version [0-9a-f-]{36}\); Hopae accepts the new pair/);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('--wait gives up with exit 3 and the step it stopped at when the rotation does not finish in time', async () => {
    const { arn, clientId } = await ourApp();
    // Hopae is slow: the rotation neither finishes nor fails within the timeout.
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'delay', ms: 2000 } });

    const result = await c.cli(['rotate', arn, '--wait', '--timeout', '1', '--json']);
    await Promise.all(c.serviceRuns);
    h.standIn.clearFaults();

    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'timeout', phase: 'createSecret' });
    expect(result.stderr).toMatch(/gave up waiting after 1 s, at createSecret/);
  });

  it('--wait reports a rotation that lost AWSPENDING as failed (exit 1), with the next action', async () => {
    const { arn, clientId } = await ourApp();
    // Hopae is slow, so the rotation is still in createSecret when someone abandons it.
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'delay', ms: 2000 } });
    const started = c.nextServiceRun();
    const waiting = c.cli(['rotate', arn, '--wait', '--timeout', '20']);
    const { token, runs } = await started;
    await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }));

    const result = await waiting;
    await runs;
    h.standIn.clearFaults();

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✘ .*lost AWSPENDING.*\nNext: run `hopae-rotation recover /);
  });

  it('--wait reports a failure inside the function with its step and message, read from its log group, long before the timeout', async () => {
    const { arn, clientId } = await ourApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'status', status: 404 } });

    // A timeout of 10 s: had the failure not been seen, this would end in exit 3.
    const result = await c.cli(['rotate', arn, '--wait', '--timeout', '10', '--json']);
    await Promise.all(c.serviceRuns);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      outcome: 'failed',
      failedStep: 'createSecret',
      errorCode: 'HOPAE_REJECTED',
      error: expect.stringMatching(/404/),
      logGroup: '/aws/lambda/hopae-secret-rotation',
    });
    expect(h.standIn.rotations(clientId)).toBe(0);
  });

  it('--wait says so in words, with the next action', async () => {
    const { arn, clientId } = await ourApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'status', status: 404 } });

    const result = await c.cli(['rotate', arn, '--wait', '--timeout', '10']);
    await Promise.all(c.serviceRuns);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✘ .*: the rotation failed at createSecret: HOPAE_REJECTED: .*404/);
    expect(result.stdout).toMatch(/Next: run `hopae-rotation recover \S+`: it reads this failure from the same log, asks Hopae which stored pair works, and names the one way out \(docs\/runbook.md, HOPAE_REJECTED\)/);
  });

  it('--wait is no success when AWSCURRENT moved without the function running (moto promotes a valueless version)', async () => {
    const { arn, clientId } = await ourApp();

    const result = await c.cli(['rotate', arn, '--wait', '--timeout', '5'], { withoutRotationService: true });

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✘ .*: AWSCURRENT moved to \S+, but .*has no SecretString/);
    expect(result.stdout).not.toMatch(/✔/);
    expect(h.standIn.rotations(clientId)).toBe(0);
  });

  it('--local after a failure reuses its token: Hopae committed, the connection dropped, the rerun gets the replay (one rotation)', async () => {
    const { arn, clientId } = await ourApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'after-commit', clientId, action: { type: 'drop' }, times: 100 });

    // The CLI's waits between attempts at Hopae, recorded and skipped (production backoff: seconds).
    const waits: number[] = [];
    const failed = await c.cli(['rotate', arn, '--local', '--json'], { sleep: async (ms) => void waits.push(ms) });
    h.standIn.clearFaults();
    const failedJson = JSON.parse(failed.stdout) as { token: string; failedStep: string };
    const retried = await c.cli(['rotate', arn, '--local', '--json']);

    expect(failed.code).toBe(1);
    expect(failedJson.failedStep).toBe('createSecret');
    // Eight attempts with the same Idempotency-Key (the function's default), backing off between them.
    expect(waits).toHaveLength(7);
    expect(waits.every((ms) => ms >= 0 && ms <= 4_000)).toBe(true);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(retried.code).toBe(0);
    expect((JSON.parse(retried.stdout) as { token: string }).token).toBe(failedJson.token);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(h.standIn.requests.some((r) => r.route === 'rotate' && r.clientId === clientId && r.replayed === true)).toBe(true);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('--local tells the truth about the retry it promises', async () => {
    const { arn, clientId } = await ourApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'after-commit', clientId, action: { type: 'drop' }, times: 100 });

    const failed = await c.cli(['rotate', arn, '--local'], { sleep: async () => undefined });
    h.standIn.clearFaults();

    expect(failed.stdout).toMatch(/Next: fix the cause, then run `hopae-rotation rotate \S+ --local` again within 24 hours: it uses the same token/);
    await c.cli(['rotate', arn, '--local']);
  });

  it('--local runs the four steps in-process and leaves AWSPENDING on no other version', async () => {
    const { arn, clientId } = await ourApp();

    const result = await c.cli(['rotate', arn, '--local', '--json']);

    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { token: string; steps: { step: string; outcome: string }[] };
    expect(json.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(['createSecret:created', 'setSecret:nothing-to-set', 'testSecret:pending-verified', 'finishSecret:finished']);
    expect((await h.stages(arn))[json.token]).toEqual(['AWSCURRENT']);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('--local resumes an unfinished rotation with its token, so Hopae replays instead of rotating again', async () => {
    const { arn, clientId } = await ourApp();
    const token = (await h.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: functionArn }))).VersionId!;
    expect(outcomes(await h.run(arn, token, ['createSecret']))).toEqual(['createSecret:created']);

    const result = await c.cli(['rotate', arn, '--local']);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`Resuming the unfinished rotation ${token}`));
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect((await h.stages(arn))[token]).toContain('AWSCURRENT');
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('--local reports a failing step with exit 1', async () => {
    const { arn, clientId } = await ourApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'status', status: 404 } });

    const result = await c.cli(['rotate', arn, '--local', '--json']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'failed', failedStep: 'createSecret', errorCode: 'HOPAE_REJECTED' });
  });

  it.each([
    ['an unknown secret', async () => 'hopae/apps/no-such-secret', /No secret hopae\/apps\/no-such-secret/, 2],
    // The function-missing row of the state table: a deployment to make, not bad input (docs/cli.md).
    ['a secret without rotation', async () => createPlainSecret(h, 'plain/not-rotated', '{"clientId":"X"}'), /no rotation function is attached, so no rotation can run; deploy HopaeSecretRotation/, 1],
    [
      'a secret rotated by another function',
      async () => {
        const other = await c.createRotationFunction('someone-elses-rotation', { DB_HOST: 'db' });
        const arn = await createPlainSecret(h, 'plain/other-function', '{"clientId":"X"}');
        await c.attach(arn, other);
        return arn;
      },
      /rotated by someone-elses-rotation, which is not a Hopae rotation function/,
      2,
    ],
    [
      'malformed JSON',
      async () => {
        const arn = await createPlainSecret(h, 'plain/malformed', 'clientId=X');
        await c.attach(arn, functionArn);
        return arn;
      },
      /AWSCURRENT of plain\/malformed is not valid JSON.*\. `hopae-rotation recover plain\/malformed` finds a stored version Hopae accepts, or names the value to store/,
      2,
    ],
  ])('refuses %s with exit %d... and changes nothing', async (_name, makeSecret, message, code) => {
    const secret = await makeSecret();
    const before = secret.startsWith('arn:') ? await h.stages(secret) : undefined;

    const result = await c.cli(['rotate', secret, '--local']);

    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    if (before) expect(await h.stages(secret)).toEqual(before);
  });
});

describe('status', () => {
  it('lists only secrets rotated by a Hopae function, with clientId, dates, age and state', async () => {
    const { arn, clientId } = await ourApp();

    const result = await c.cli(['status', '--json']);

    const { secrets, needsAttention } = JSON.parse(result.stdout) as { secrets: Array<Record<string, unknown>>; needsAttention: number };
    // plain/malformed (ours, not app JSON) needs attention: exit 1.
    expect({ code: result.code, needsAttention: needsAttention > 0 }).toEqual({ code: 1, needsAttention: true });
    expect(secrets.find((s) => s.secret === 'plain/malformed')).toMatchObject({ state: 'malformed', clientId: null });
    const mine = secrets.find((s) => String(arn).includes(String(s.secret)));
    expect(mine).toMatchObject({ clientId, function: 'hopae-secret-rotation', state: 'ok', pendingVersion: null, nextRotation: expect.any(String) });
    expect(secrets.map((s) => s.secret)).not.toContain('plain/other-function');
    expect(secrets.map((s) => s.secret)).not.toContain('plain/not-rotated');
    expect(secrets.every((s) => s.function === 'hopae-secret-rotation')).toBe(true);
  });

  it('flags an unfinished rotation as rotating, then as stuck (exit 1) once older than --stuck-after', async () => {
    const { arn } = await ourApp();
    const token = (await h.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: functionArn }))).VersionId!;
    const name = arn.split(':secret:')[1]!.replace(/-\w{6}$/, '');

    const fresh = await c.cli(['status', '--json']);
    const later = await c.cli(['status', '--stuck-after', '30'], { nowOffsetMs: 31 * 60_000 });

    const entry = (JSON.parse(fresh.stdout) as { secrets: Array<Record<string, unknown>> }).secrets.find((s) => s.secret === name);
    expect(entry).toMatchObject({ state: 'rotating', pendingVersion: token });
    expect(later.code).toBe(1);
    expect(later.stdout).toMatch(new RegExp(`${name.replace(/\//g, '\\/')}\\s.*stuck`));
    expect(later.stderr).toMatch(new RegExp(`rotation ${token} is older than 30 min \\(--stuck-after\\): stuck; run \`hopae-rotation recover`));
    // Finish it so later tests see no stuck rotation.
    await h.run(arn, token);
  });

  it('--function limits the list to one function; another\'s function or one that does not exist is bad input (exit 2)', async () => {
    const result = await c.cli(['status', '--function', 'hopae-secret-rotation', '--json']);
    const other = await c.cli(['status', '--function', 'someone-elses-rotation']);
    const missing = await c.cli(['status', '--function', 'nope']);

    const names = (JSON.parse(result.stdout) as { secrets: Array<{ secret: string; function: string }> }).secrets;
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((s) => s.function === 'hopae-secret-rotation')).toBe(true);
    expect({ code: other.code, stderr: other.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/someone-elses-rotation is not a Hopae rotation function/) });
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/No function nope in this account and region/) });
  });

  it('says what it checked, so that ok is not read as "Hopae accepts the pair"', async () => {
    const { arn, clientId } = await ourApp();
    await rotateElsewhere(clientId, h.apiKey);

    const human = await c.cli(['status']);
    const json = JSON.parse((await c.cli(['status', '--json'])).stdout) as { secrets: Array<{ secret: string; state: string }>; checked: string[]; notChecked: string };

    expect(json.secrets.find((s) => arn.includes(s.secret))?.state).toBe('ok');
    expect(json.notChecked).toMatch(/whether Hopae accepts the stored pairs \(run `hopae-rotation doctor <secret>`/);
    expect(human.stdout).toMatch(/\nChecked: rotation enabled.*\nNot checked: whether Hopae accepts the stored pairs/);
  });
});

describe('doctor', () => {
  it('passes every check for a healthy secret', async () => {
    const { arn } = await ourApp();

    const result = await c.cli(['doctor', arn, '--json']);

    expect(result.code).toBe(0);
    const { checks } = JSON.parse(result.stdout) as { checks: { check: string; status: string }[] };
    expect(checks.map((x) => `${x.check}:${x.status}`)).toEqual([
      'secret value:pass',
      'rotation enabled:pass',
      'rotation function:pass',
      'workspace key:pass',
      'Hopae reachable, key valid:pass',
      'app known to the workspace:pass',
      'current pair accepted:pass',
      'rotation state:pass',
      'consumers survive a rotation:pass',
    ]);
  });

  it('shows each check with a mark, and the fix for a failing one (exit 1)', async () => {
    const { arn, clientId } = await ourApp();
    // Someone rotated the app in Hopae's console: the stored pair is dead.
    const rotated = await fetch(`${process.env.HOPAE_API_BASE_URL}/apps/${clientId}/rotate-client-secret`, { method: 'POST', headers: { Authorization: `Bearer ${h.apiKey}` } });
    await rotated.arrayBuffer();

    const result = await c.cli(['doctor', arn]);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✔ Hopae reachable, key valid/);
    expect(result.stdout).toMatch(/✘ current pair accepted: Hopae rejects AWSCURRENT \(401 AUTH.INVALID_CREDENTIALS\)\n/);
    expect(result.stdout).toMatch(/✘ rotation state: current-rejected-none-accepted: .*\n\s+fix: run `hopae-rotation rotate \S+ --wait`: Hopae issues a new secret/);
  });

  it('names an unknown app and a revoked key', async () => {
    const { arn } = await ourApp({ value: JSON.stringify({ clientId: 'UNKNOWN1', clientSecret: 'f'.repeat(64) }) });

    const unknownApp = await c.cli(['doctor', arn, '--json']);
    h.standIn.revokeWorkspaceKey(h.apiKey);
    const revoked = await c.cli(['doctor', arn, '--json']);
    h.standIn.addWorkspace('ws_local', h.apiKey);

    const status = (out: string, check: string) => (JSON.parse(out) as { checks: { check: string; status: string; detail: string }[] }).checks.find((x) => x.check === check);
    expect(unknownApp.code).toBe(1);
    expect(status(unknownApp.stdout, 'app known to the workspace')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/404 RESOURCE_NOT_FOUND/) });
    expect(status(revoked.stdout, 'Hopae reachable, key valid')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/refused the workspace key \(401/),
      // The fix names the secret to store the key in, and how to check it.
      fix: expect.stringMatching(/^store a valid key in \S*hopae\/workspace-key\S* .*then run doctor again$/),
    });
    expect(status(revoked.stdout, 'app known to the workspace')).toMatchObject({ status: 'skip' });
    // Rotating cannot succeed until those are fixed: the way out says so instead of sending the operator to a failing rotate.
    expect(status(unknownApp.stdout, 'rotation state')).toMatchObject({
      fix: expect.stringMatching(/^first fix what failed above \(app known to the workspace\): a rotation needs it; then run `hopae-rotation rotate \S+ --wait`/),
    });
    expect(status(revoked.stdout, 'rotation state')).toMatchObject({ fix: expect.stringMatching(/^first fix what failed above \(Hopae reachable, key valid\)/) });
  });

  it('reports a malformed secret (exit 2, bad input) and a secret without a function (exit 1) as failed checks', async () => {
    const result = await c.cli(['doctor', 'plain/malformed', '--json']);
    const plain = await c.cli(['doctor', 'plain/not-rotated', '--json']);

    expect(result.code).toBe(2);
    // No function at all is the function-missing row: a deployment to make (exit 1).
    expect({ code: plain.code, state: (JSON.parse(plain.stdout) as { state: string }).state }).toEqual({ code: 1, state: 'function-missing' });
    const checks = (out: string) => (JSON.parse(out) as { checks: { check: string; status: string }[] }).checks;
    expect(checks(result.stdout).find((x) => x.check === 'secret value')).toMatchObject({ status: 'fail' });
    expect(checks(plain.stdout).find((x) => x.check === 'rotation function')).toMatchObject({ status: 'fail' });
  });

  it('says which Hopae base URL it asked, and warns when the operator\'s own HOPAE_API_BASE_URL is not the function\'s', async () => {
    const { arn } = await ourApp();
    // A leftover URL that answers nothing (connection refused at once): not the function's Hopae.
    const leftover = 'http://127.0.0.1:9/connect/v1';

    const human = await c.cli(['doctor', arn], { env: { HOPAE_API_BASE_URL: leftover } });
    const json = JSON.parse((await c.cli(['doctor', arn, '--json'], { env: { HOPAE_API_BASE_URL: leftover } })).stdout) as { hopae: Record<string, string> };
    const own = await c.cli(['doctor', arn]);

    expect(human.stderr).toContain(`Hopae: ${leftover} (from HOPAE_API_BASE_URL in your environment)`);
    expect(human.stderr).toMatch(new RegExp(`! HOPAE_API_BASE_URL in your environment \\(${leftover.replace(/[./]/g, '\\$&')}\\) is not the Hopae hopae-secret-rotation rotates against \\(http://127\\.0\\.0\\.1:\\d+/connect/v1\\): every verdict below is that other Hopae's`));
    expect(json.hopae).toEqual({ apiBaseUrl: leftover, source: 'HOPAE_API_BASE_URL in your environment', functionApiBaseUrl: process.env.HOPAE_API_BASE_URL });
    expect(own.stderr).toMatch(/Hopae: http:\/\/127\.0\.0\.1:\d+\/connect\/v1 \(from HOPAE_API_BASE_URL in hopae-secret-rotation's environment\)/);
    expect(own.stderr).not.toMatch(/is not the Hopae/);
  });

  it('blames a bad URL on the flag it came from, once, and names the key secret\'s own source', async () => {
    const { arn } = await ourApp();

    const badUrl = await c.cli(['doctor', arn, '--api-base-url', 'ftp://hopae.example']);
    const keyFlag = await c.cli(['doctor', arn, '--workspace-key-secret', 'hopae/workspace-key', '--json']);

    expect(badUrl.code).toBe(2);
    expect(badUrl.stdout.match(/Hopae reachable, key valid/g)).toHaveLength(1);
    expect(badUrl.stdout).toMatch(/✘ Hopae reachable, key valid: --api-base-url must use https; got scheme ftp:\n\s+fix: fix --api-base-url/);
    expect(badUrl.stdout).not.toMatch(/HOPAE_API_BASE_URL/);
    const checks = (JSON.parse(keyFlag.stdout) as { checks: { check: string; detail: string }[] }).checks;
    expect(checks.find((x) => x.check === 'workspace key')?.detail).toBe('read from hopae/workspace-key (named by --workspace-key-secret)');
  });

  it('rotate --local blames a bad URL on --api-base-url (exit 2) and changes nothing', async () => {
    const { arn, clientId } = await ourApp();
    const before = await h.stages(arn);

    const result = await c.cli(['rotate', arn, '--local', '--api-base-url', 'http://hopae.example']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--api-base-url must use https \(plain http is accepted only for 127.0.0.1/);
    expect(await h.stages(arn)).toEqual(before);
    expect(h.standIn.rotations(clientId)).toBe(0);
  });

  it('exits 2 for an unknown secret', async () => {
    expect((await c.cli(['doctor', 'no/such/secret'])).code).toBe(2);
  });
});

describe('the installed command', () => {
  it('runs through its bin entry with the SDK standard configuration', async () => {
    const { arn } = await ourApp();
    const bin = join(__dirname, '..', '..', 'dist', 'cli', 'hopae-rotation.cjs');

    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env };
      delete env.HOPAE_API_BASE_URL;
      delete env.HOPAE_API_KEY_SECRET_ID;
      const child = spawn(process.execPath, [bin, 'doctor', arn, '--json'], { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toMatchObject({ healthy: true });
    c.printed.push(stdout);
  });
});

describe('output', () => {
  it('never printed a secret or the workspace key', async () => {
    const printed = c.printed.join('\n');
    expect(printed.length).toBeGreaterThan(1000);
    for (const secret of [...h.standIn.issuedSecrets, h.apiKey]) expect(printed).not.toContain(secret);
    expectNoSecretsLogged(h);
  });
});

