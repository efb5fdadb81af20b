/**
 * The state-table walk (issue 17, item 3): for a row of the rotation state table
 * (cli/rotation-state.ts), build the state against moto_server and the Hopae stand-in, then follow
 * the advice `recover` prints, mechanically, up to five times: run each `hopae-rotation` command it
 * names, in order, and stop at the first action only a person can take. No state may repeat
 * (advice that leads back to itself is a loop), and every walk ends healthy or at exactly one named
 * human action.
 *
 * `npm test` walks a sample of the rows (test/integration/cli-state-walk.test.ts; cli-recover.test.ts
 * has a test per row of what recover says and does); `npm run test:walk` (.ci/run) walks every row
 * (test/walk/).
 */
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { NextStep, StateId } from '../../cli/rotation-state';
import { UNDEPLOYED_ROTATION_LAMBDA_ARN } from '../../local/rotation-driver';
import { cliHarness, rotateElsewhere, type CliHarness } from './cli-harness';
import { type Harness, outcomes, useIntegrationHarness } from './integration-harness';

const DAY_MS = 24 * 60 * 60 * 1000;
// States built in moments are seen this much later: stuck, no longer in flight (threshold: 30 min).
const SETTLED = 31 * 60 * 1000;

interface RecoverJson {
  state: StateId;
  steps: NextStep[];
  next: string;
}

interface Walk {
  readonly states: string[];
  /** 'healthy', or the one human action the walk ended at. */
  readonly end: string;
}

/** Every row of the state table (cli/rotation-state.ts). */
export const ALL_STATES: readonly StateId[] = [
  'function-missing', 'function-not-ours', 'rotation-disabled', 'hopae-unknown', 'rotation-in-flight', 'pending-accepted', 'pending-empty-current-accepted',
  'pending-empty-replayable', 'pending-empty-refused', 'pending-empty-expired', 'pending-rejected', 'pending-without-client-secret',
  'current-rejected-other-accepted', 'current-rejected-none-accepted', 'current-malformed', 'first-rotation', 'clean',
];

/** A row: its state, how to build it, the states the walk must pass, and how it must end. */
export type StateRow = [StateId, () => Promise<{ secret: string; nowOffsetMs?: number }>, string[], RegExp | 'healthy'];

export interface StateWalk {
  readonly h: Harness;
  readonly c: CliHarness;
  /** The Hopae rotation function every app of ours is attached to. */
  functionArn(): string;
  /** One row per state of the table, each building its state when called. */
  readonly rows: readonly StateRow[];
  ourApp(options?: Parameters<Harness['createApp']>[0]): Promise<{ arn: string; clientId: string; secret?: string }>;
  /** A rotation begun by Secrets Manager (a valueless AWSPENDING version) on an app of ours. */
  beginStuckRotation(): Promise<{ arn: string; clientId: string; token: string }>;
  /** Builds the row's state, walks it, and asserts the states passed and the end. */
  expectWalk(row: StateRow): Promise<void>;
}

/** Registers the harness (moto_server, the stand-in, the CLI) for one test file and returns the walk over it. */
export function useStateWalk(): StateWalk {
  const h = useIntegrationHarness();
  const c = cliHarness(h);
  let functionArn: string;

  beforeAll(async () => {
    functionArn = await c.createRotationFunction();
  });

  afterEach(async () => {
    await Promise.all(c.serviceRuns);
    h.standIn.clearFaults();
  });

  /**
   * Follows the printed advice: reads the state with `recover` (its human output must show each
   * command it advises), runs the advised commands, and repeats, up to five states.
   */
  async function walk(secret: string, nowOffsetMs = SETTLED): Promise<Walk> {
    const states: string[] = [];
    for (let i = 0; i < 5; i++) {
      const json = await c.cli(['recover', secret, '--json'], { nowOffsetMs });
      const human = await c.cli(['recover', secret], { nowOffsetMs });
      const parsed = JSON.parse(json.stdout) as RecoverJson | { error: string; exitCode: number };
      if ('error' in parsed) {
        // Refused as bad input (another's function): the message is the state and its one way out.
        expect(parsed.exitCode).toBe(2);
        return { states: [...states, 'refused'], end: parsed.error };
      }
      expect(states).not.toContain(parsed.state);
      states.push(parsed.state);
      if (parsed.state === 'clean') return { states, end: 'healthy' };
      // The same advice in words (two runs: a time in it may have moved by a second).
      const timeless = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>');
      expect(timeless(human.stdout)).toContain(timeless(`Next: ${parsed.next}.`));
      expect(parsed.steps.filter((step) => 'human' in step).length).toBeLessThanOrEqual(1);
      for (const step of parsed.steps) {
        if ('human' in step) return { states, end: step.human };
        const [tool, ...argv] = step.run.split(' ');
        expect(tool).toBe('hopae-rotation');
        await c.cli([...argv, ...(argv[0] === 'rotate' ? ['--timeout', '20'] : [])], { nowOffsetMs });
        await Promise.all(c.serviceRuns);
      }
    }
    throw new Error(`no end after five states: ${states.join(' → ')}`);
  }

  async function ourApp(options: Parameters<typeof h.createApp>[0] = {}) {
    const app = await h.createApp(options);
    await c.attach(app.arn, functionArn);
    return app;
  }

  /** A rotation begun by Secrets Manager (a valueless AWSPENDING version) on an app of ours. */
  async function beginStuckRotation() {
    const app = await ourApp();
    const token = (await h.sm.send(new RotateSecretCommand({ SecretId: app.arn, RotationLambdaARN: functionArn }))).VersionId!;
    return { ...app, token };
  }

  async function dropAfterCommit(arn: string, clientId: string, token: string): Promise<void> {
    h.standIn.injectFault({ route: 'rotate', phase: 'after-commit', clientId, action: { type: 'drop' }, times: 100 });
    expect(outcomes(await h.run(arn, token, ['createSecret']))).toEqual(['createSecret:HopaeUnavailableError']);
    h.standIn.clearFaults();
  }

  const rows: StateRow[] = [
    ['clean', async () => ({ secret: (await ourApp()).arn }), ['clean'], 'healthy'],
    ['first-rotation', async () => ({ secret: (await ourApp({ bootstrap: true })).arn }), ['first-rotation', 'clean'], 'healthy'],
    [
      'pending-accepted',
      async () => {
        const { arn, token } = await beginStuckRotation();
        await h.run(arn, token, ['createSecret']);
        return { secret: arn };
      },
      ['pending-accepted', 'clean'],
      'healthy',
    ],
    ['pending-empty-current-accepted', async () => ({ secret: (await beginStuckRotation()).arn }), ['pending-empty-current-accepted', 'clean'], 'healthy'],
    [
      'pending-empty-replayable',
      async () => {
        const { arn, clientId, token } = await beginStuckRotation();
        await dropAfterCommit(arn, clientId, token);
        return { secret: arn };
      },
      ['pending-empty-replayable', 'clean'],
      'healthy',
    ],
    [
      'pending-empty-refused',
      async () => {
        // The issue's example: a fresh secret whose app Hopae does not know; its first rotation is refused (404).
        const created = await h.sm.send(new CreateSecretCommand({ Name: 'hopae/apps/Unknown1', SecretString: JSON.stringify({ clientId: 'Unknown1' }) }));
        await c.attach(created.ARN!, functionArn);
        const rotated = await c.cli(['rotate', created.ARN!, '--wait', '--timeout', '20']);
        expect(rotated.stdout).toMatch(/failed at createSecret: HOPAE_REJECTED: .*404/);
        return { secret: created.ARN! };
      },
      ['pending-empty-refused'],
      /^fix what the failure names \(docs\/runbook.md, HOPAE_REJECTED\)$/,
    ],
    [
      'pending-empty-expired',
      async () => {
        const { arn, clientId, token } = await beginStuckRotation();
        await dropAfterCommit(arn, clientId, token);
        h.standIn.advanceClock(DAY_MS + 60_000);
        return { secret: arn, nowOffsetMs: DAY_MS + 60_000 };
      },
      ['pending-empty-expired', 'clean'],
      'healthy',
    ],
    [
      'pending-rejected',
      async () => {
        const { arn, clientId, token } = await beginStuckRotation();
        await h.run(arn, token, ['createSecret']);
        await rotateElsewhere(clientId, h.apiKey);
        return { secret: arn };
      },
      ['pending-rejected', 'clean'],
      'healthy',
    ],
    [
      'pending-without-client-secret',
      async () => {
        const { arn, clientId, token } = await beginStuckRotation();
        await h.sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: JSON.stringify({ clientId }), VersionStages: ['AWSPENDING'] }));
        return { secret: arn };
      },
      ['pending-without-client-secret', 'clean'],
      'healthy',
    ],
    [
      'current-rejected-other-accepted',
      async () => {
        const { arn, clientId } = await ourApp();
        await h.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ clientId, clientSecret: 'e'.repeat(64) }) }));
        return { secret: arn };
      },
      ['current-rejected-other-accepted', 'clean'],
      'healthy',
    ],
    [
      'current-rejected-none-accepted',
      async () => {
        const { arn, clientId } = await ourApp();
        await rotateElsewhere(clientId, h.apiKey);
        return { secret: arn };
      },
      ['current-rejected-none-accepted', 'clean'],
      'healthy',
    ],
    ['current-malformed', async () => ({ secret: (await ourApp({ value: 'clientId=broken' })).arn }), ['current-malformed'], /^store \{"clientId": .*put-secret-value/],
    [
      'hopae-unknown',
      async () => {
        const { arn } = await ourApp();
        h.standIn.injectFault({ route: 'providers', phase: 'before-commit', action: { type: 'status', status: 503 }, times: 1000 });
        return { secret: arn };
      },
      ['hopae-unknown'],
      /^check the network path to Hopae/,
    ],
    [
      'rotation-disabled',
      async () => {
        const { arn } = await ourApp();
        await h.sm.send(new CancelRotateSecretCommand({ SecretId: arn }));
        return { secret: arn };
      },
      ['rotation-disabled'],
      /^re-attach it with `aws secretsmanager rotate-secret /,
    ],
    [
      'function-missing',
      async () => {
        const { arn } = await h.createApp();
        await h.sm
          .send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: UNDEPLOYED_ROTATION_LAMBDA_ARN, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }))
          .catch((error: unknown) => {
            if (!(error instanceof ResourceNotFoundException)) throw error;
          });
        for (const [id, labels] of Object.entries(await h.stages(arn))) {
          if (labels.includes('AWSPENDING')) await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: id }));
        }
        return { secret: arn };
      },
      ['function-missing'],
      /^deploy HopaeSecretRotation with \S+ in appSecrets/,
    ],
    [
      'function-not-ours',
      async () => {
        const { arn } = await h.createApp();
        await c.attach(arn, await c.createRotationFunction('another-teams-rotation', { DB_HOST: 'db' }));
        return { secret: arn };
      },
      ['refused'],
      /which is not a Hopae rotation function: .* attach the HopaeSecretRotation function/,
    ],
    [
      'rotation-in-flight',
      async () => {
        const { arn, clientId } = await ourApp();
        // createSecret waits on Hopae: the rotation is in flight while the walk looks.
        h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'delay', ms: 1500 } });
        expect((await c.cli(['rotate', arn])).code).toBe(0);
        return { secret: arn, nowOffsetMs: 0 };
      },
      ['rotation-in-flight'],
      /^wait until \S+Z \(`hopae-rotation status` follows it\)$/,
    ],
  ];

  return {
    h,
    c,
    functionArn: () => functionArn,
    rows,
    ourApp,
    beginStuckRotation,
    async expectWalk([, build, states, end]) {
      const { secret, nowOffsetMs } = await build();

      const walked = await walk(secret, nowOffsetMs);

      expect(walked.states).toEqual(states);
      if (end === 'healthy') {
        expect(walked.end).toBe('healthy');
        expect(await h.currentAccepted(secret)).toBe(true);
      } else expect(walked.end).toMatch(end);
    },
  };
}
