/**
 * `npm run chaos`: the randomized fault campaign. Prints schedules run, violations (goal 0) and
 * the seed of each violation, to replay with one command.
 *
 *   npm run chaos                              1,000 schedules from a random base seed
 *   npm run chaos -- --schedules 200 --seed 7  a given range of seeds
 *   npm run chaos -- --replay 1234             one schedule, every invocation traced
 *   npm run chaos -- --help                    these options
 */
import { runCampaign } from '../local/chaos/campaign';
import { CHAOS_ENVIRONMENT } from '../local/chaos/environment';
import { startLocalEnvironment } from '../local/local-environment';
import { parseScriptArgs, wholeNumber } from '../local/script-args';

const USAGE = `Usage: npm run chaos -- [options]

The randomized fault campaign against moto_server and the Hopae stand-in. Each schedule is
one seed: its secrets, faults and retries follow from it, so any violation replays exactly.

Options:
  --schedules N   how many schedules to run (default 1000; about 1.6 s each on 2 cores)
  --seed S        the first seed (default: random); schedules use seeds S..S+N-1
  --replay S      run the one schedule of seed S and trace every invocation
  --help          print this help

Exit status: 0 with no violation, 1 with violations (each printed with its replay command),
2 for a bad option.`;

async function main(): Promise<number> {
  const values = parseScriptArgs('chaos', USAGE, { schedules: { type: 'string' }, seed: { type: 'string' }, replay: { type: 'string' } });
  const args: Record<string, number | undefined> = {};
  for (const name of ['schedules', 'seed', 'replay'] as const) {
    if (values[name] !== undefined) args[name] = wholeNumber(name, USAGE, values[name], 0, 0);
  }
  const option = (name: string): number | undefined => args[name];
  const replay = option('replay');
  const schedules = replay === undefined ? (option('schedules') ?? 1000) : 1;
  const baseSeed = replay ?? option('seed') ?? Math.floor(Math.random() * 1_000_000_000);
  const local = await startLocalEnvironment(CHAOS_ENVIRONMENT, { proxy: true });
  try {
    const handler = await local.loadHandler();
    console.log(`Fault campaign: ${schedules} schedule(s), seeds ${baseSeed}..${baseSeed + schedules - 1}`);
    const report = await runCampaign(local, handler, {
      schedules,
      baseSeed,
      onSchedule: (seed, done, violations) => {
        if (replay !== undefined || done % 50 === 0 || done === schedules) console.log(`  ${done}/${schedules} schedules, ${violations} violation(s) (last seed ${seed})`);
      },
      trace: replay === undefined ? undefined : (line) => console.log(line),
    });
    const s = report.stats;
    console.log(`\nschedules run            ${s.schedules} (${s.secrets} secrets, ${s.attempts} rotation attempts, ${s.failedAttempts} failed, ${s.invocations} invocations)`);
    console.log(`faults                   ${s.hopaeFaultsHit} Hopae, ${s.smFaultsInjected} Secrets Manager, ${s.lambdaTimeouts} Lambda timeouts`);
    console.log(`recovered by later retry ${s.cleanRetriesNeeded} extra clean retries; ${s.lockoutsAfter24Hours} lock-outs after Hopae's 24-hour memory expired (the next retry mints a new secret)`);
    console.log(`violations               ${report.violations.length}`);
    for (const v of report.violations) console.log(`  seed ${v.seed}: ${v.kind}: ${v.detail}\n    replay: npm run chaos -- --replay ${v.seed}`);
    console.log(`time                     ${(report.durationMs / 1000).toFixed(1)} s`);
    return report.violations.length === 0 ? 0 : 1;
  } finally {
    await local.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`chaos failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
