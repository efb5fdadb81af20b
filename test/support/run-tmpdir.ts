import { accessSync, constants, mkdtempSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary directory per Jest run, removed when the run ends: every `new App()` without an
 * outdir synthesizes into a fresh `cdk.out*` under os.tmpdir(), about 150 of them per `npm test`,
 * which nothing else removes. TMPDIR set here, before the workers start, is theirs and their
 * children's (moto_server, the scripts) too.
 */
export function enterRunTmpdir(): void {
  const dir = mkdtempSync(join(runTmpdirParent(), 'hopae-jest-'));
  process.env.HOPAE_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
}

/**
 * Where the run's directory goes: TMPDIR when you set one; else /dev/shm when it is a writable
 * directory (Linux's shared-memory tmpfs) with at least 512 MiB free (a container's /dev/shm is
 * often 64 MiB); else os.tmpdir(). The synths write up to about 70 MB there in small files; on a
 * disk (/tmp on this machine type is ext4, mounted with discard) that cost about 2 CPU-s more of
 * system time per `npm test` (test/cdk alone: about 7 → 3). A killed run leaves its directory there.
 */
export function runTmpdirParent(env: NodeJS.ProcessEnv = process.env, hasRoom: (path: string) => boolean = writableWithRoom): string {
  if (env.TMPDIR) return env.TMPDIR;
  return hasRoom(SHARED_MEMORY) ? SHARED_MEMORY : tmpdir();
}

const SHARED_MEMORY = '/dev/shm';
const ROOM_BYTES = 512 * 1024 * 1024;

/** Whether `path` is a writable directory with at least 512 MiB free (statfs). */
export function writableWithRoom(path: string, roomBytes = ROOM_BYTES): boolean {
  try {
    accessSync(path, constants.W_OK);
    if (!statSync(path).isDirectory()) return false;
    const { bavail, bsize } = statfsSync(path);
    return bavail * bsize >= roomBytes;
  } catch {
    return false;
  }
}

/** Removes the run's directory (globalTeardown); a run that was killed leaves it, named hopae-jest-*. */
export function leaveRunTmpdir(): void {
  const dir = process.env.HOPAE_JEST_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
