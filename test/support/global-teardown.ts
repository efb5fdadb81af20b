import { leaveRunTmpdir } from './run-tmpdir';

/** jest globalTeardown: removes the run's temporary directory (test/support/run-tmpdir.ts). */
export default function globalTeardown(): void {
  leaveRunTmpdir();
}
