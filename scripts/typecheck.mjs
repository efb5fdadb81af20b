// `npm run typecheck`, and the type-check `npm test` runs alongside Jest: TypeScript 7's native
// compiler (devDependency `typescript-native`), `tsc --noEmit` over tsconfig.json. Called by path:
// npm links a single `tsc` into node_modules/.bin for the two TypeScript packages (after `npm ci`,
// TypeScript 6's), so `npx tsc` is not this check.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The command line of the type-check: [node, tsc, ...args]. Throws, naming the fix, when TypeScript 7 is not installed. */
export function typecheckCommand() {
  const tsc = join(root, 'node_modules', 'typescript-native', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    throw new Error('TypeScript 7 (devDependency typescript-native) is not in node_modules: run `npm ci`, then the command again.');
  }
  return [process.execPath, tsc, '--noEmit', '-p', join(root, 'tsconfig.json')];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let command;
  try {
    command = typecheckCommand();
  } catch (error) {
    console.error(`typecheck: ${error.message}`);
    process.exit(1);
  }
  const [node, ...args] = command;
  process.exit(spawnSync(node, args, { stdio: 'inherit' }).status ?? 1);
}
