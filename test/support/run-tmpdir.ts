import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary directory per Jest run, removed when the run ends: every `new App()` without an
 * outdir synthesizes into a fresh `cdk.out*` under os.tmpdir(), about 150 of them per `npm test`,
 * which nothing else removes. TMPDIR set here, before the workers start, is theirs and their
 * children's (moto_server, the scripts) too.
 */
export function enterRunTmpdir(): void {
  const dir = mkdtempSync(join(tmpdir(), 'hopae-jest-'));
  process.env.HOPAE_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
}

/** Removes the run's directory (globalTeardown); a run that was killed leaves it, named hopae-jest-*. */
export function leaveRunTmpdir(): void {
  const dir = process.env.HOPAE_JEST_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
