/**
 * `tsx scripts/check-quotas.ts <cdk.out>`: every stack template of a cloud assembly against what a
 * deploy enforces and a synth does not check (test/support/quotas.ts). Prints each stack's figures;
 * exits 1 on any violation. .ci/run runs it on the example app's 2,500-app synth.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAssembly } from '../test/support/quotas';

const dir = process.argv[2];
if (!dir || process.argv.includes('--help')) {
  console.log('Usage: tsx scripts/check-quotas.ts <cloud assembly directory, e.g. cdk.out>');
  process.exit(dir ? 0 : 2);
}
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
const stacks = Object.entries(manifest.artifacts)
  .filter(([, a]) => a.type === 'aws:cloudformation:stack')
  .map(([id, a]) => ({ id, template: JSON.parse(readFileSync(join(dir, a.properties!.templateFile!), 'utf8')) as unknown }));
const reports = checkAssembly(stacks);
const widest = Math.max(...reports.map((r) => r.stack.length));
for (const r of reports) {
  console.log(`${r.stack.padEnd(widest)}  ${String(r.resources).padStart(3)} resources  ${(r.templateBytes / 1024).toFixed(0).padStart(4)} KiB  largest policy ${r.largestPolicyChars} chars`);
}
const violations = reports.flatMap((r) => r.violations);
console.log(`${stacks.length} stacks, ${reports.reduce((sum, r) => sum + r.resources, 0)} resources, most in one stack ${Math.max(...reports.map((r) => r.resources))}`);
if (violations.length > 0) {
  for (const v of violations) console.error(`quota: ${v}`);
  process.exit(1);
}
console.log('quotas: ok (no stack breaks a deploy quota)');
