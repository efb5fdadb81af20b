// An HTTP proxy on loopback (the npm package `proxy`, a CONNECT-capable forward proxy, as a corporate
// egress proxy is), in its own process: prints {"port": N}, then one JSON line per request it
// forwards, {"connect": "host:port"} for an HTTPS tunnel or {"forward": "http://..."} for plain HTTP.
// It sees only those targets: what passes through a tunnel is TLS between the function and the origin.
import { createProxy } from 'proxy';

const server = createProxy();
server.on('connect', (req) => process.stdout.write(`${JSON.stringify({ connect: req.url })}\n`));
server.on('request', (req) => process.stdout.write(`${JSON.stringify({ forward: req.url })}\n`));
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
