// A process that starts moto_server and is then killed without a chance to stop it (as a Jest
// worker killed under load is): prints moto's pid, then waits to be killed.
import { startMotoServer } from '../../local/moto-server';

void startMotoServer().then((moto) => {
  process.stdout.write(`${JSON.stringify({ pid: moto.pid, endpoint: moto.endpoint })}\n`);
  setInterval(() => undefined, 60_000);
});
