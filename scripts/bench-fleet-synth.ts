/**
 * One fleet synth for `npm run bench -- --only fleet-deploy`, in its own process so its peak memory
 * is its own: `tsx scripts/bench-fleet-synth.ts <existing> <created> [services per app]` prints one
 * JSON line. With services per app, every app refreshes that many ECS services (refreshOnRotation).
 */
import { checkAssembly } from '../test/support/quotas';
import { synthFleet } from '../test/support/fleet';

const [existing, created, servicesPerApp = 0] = process.argv.slice(2).map(Number) as [number, number, number?];
const started = process.hrtime.bigint();
const { stacks } = synthFleet({ existing, created, ...(servicesPerApp > 0 ? { refreshEvery: 1, servicesPerApp } : {}) });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const reports = checkAssembly(stacks);
console.log(
  JSON.stringify({
    stacks: reports.length,
    mostResources: Math.max(...reports.map((r) => r.resources)),
    largestPolicyChars: Math.max(...reports.map((r) => r.largestPolicyChars)),
    largestTemplateKiB: Math.max(...reports.map((r) => r.templateBytes)) / 1024,
    violations: reports.flatMap((r) => r.violations).length,
    seconds,
    // resourceUsage().maxRSS is in kilobytes.
    peakMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
