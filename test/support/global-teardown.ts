import { stopMotoPool } from './moto-pool';
import { leaveRunTmpdir } from './run-tmpdir';

/** jest globalTeardown: stops the run's moto_servers (test/support/moto-pool.ts) and removes its temporary directory (test/support/run-tmpdir.ts). */
export default async function globalTeardown(): Promise<void> {
  await stopMotoPool();
  leaveRunTmpdir();
}
