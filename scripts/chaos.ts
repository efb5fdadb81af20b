/**
 * `npm run chaos`: the randomized fault campaign. Prints schedules run, violations (goal 0) and
 * the seed of each violation, to replay with one command.
 *
 *   npm run chaos                              1,000 schedules from a random base seed
 *   npm run chaos -- --schedules 200 --seed 7  a given range of seeds
 *   npm run chaos -- --replay 1234             one schedule, every invocation traced
 */
import { runCampaign } from '../local/chaos/campaign';
import { CHAOS_ENVIRONMENT } from '../local/chaos/environment';
import { startLocalEnvironment } from '../local/local-environment';

function option(name: string): number | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number`);
  return value;
}

async function main(): Promise<number> {
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
