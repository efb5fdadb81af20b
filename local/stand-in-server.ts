/**
 * The Hopae stand-in as a process of its own, for tests written in other languages (the Python
 * helper's pytest suite). Speaks JSON lines: it prints `{"baseUrl", "apiKey"}` once it listens,
 * then answers one line per command line read from stdin, and exits when stdin closes (its parent
 * is gone). Test secrets travel only over this pipe; it prints nothing else.
 *
 *   tsx local/stand-in-server.ts
 *   > {"op": "addApp", "clientId": "HqTRDIYH"}          < {"clientSecret": "..."}
 *   > {"op": "count", "route": "providers", "clientId": "HqTRDIYH"}   < {"count": 3}
 *   > {"op": "rotations", "clientId": "HqTRDIYH"}       < {"rotations": 1}
 *   > {"op": "fault", "fault": {...}}                   < {}   (a Fault of hopae-stand-in.ts)
 */
import { createInterface } from 'node:readline';
import { type Fault, HopaeStandIn, type StandInRoute } from './hopae-stand-in';

type Command =
  | { readonly op: 'addApp'; readonly clientId: string }
  | { readonly op: 'count'; readonly route: StandInRoute; readonly clientId?: string }
  | { readonly op: 'rotations'; readonly clientId: string }
  | { readonly op: 'accepts'; readonly clientId: string; readonly clientSecret: string }
  | { readonly op: 'fault'; readonly fault: Fault };

export function answer(standIn: HopaeStandIn, command: Command): Record<string, unknown> {
  switch (command.op) {
    case 'addApp':
      return { clientSecret: standIn.addApp(command.clientId) };
    case 'count':
      return { count: standIn.count(command.route, command.clientId) };
    case 'rotations':
      return { rotations: standIn.rotations(command.clientId) };
    case 'accepts':
      return { accepts: standIn.accepts(command.clientId, command.clientSecret) };
    case 'fault':
      standIn.injectFault(command.fault);
      return {};
    default:
      throw new Error(`unknown op ${JSON.stringify((command as { op?: unknown }).op)}`);
  }
}

async function main(): Promise<void> {
  const standIn = new HopaeStandIn();
  const baseUrl = await standIn.start();
  const apiKey = standIn.addWorkspace();
  process.stdout.write(`${JSON.stringify({ baseUrl, apiKey })}\n`);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let reply: Record<string, unknown>;
    try {
      reply = answer(standIn, JSON.parse(line) as Command);
    } catch (error) {
      reply = { error: (error as Error).message };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
  await standIn.stop();
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`stand-in-server failed: ${error.message}\n`);
    process.exit(1);
  });
}
