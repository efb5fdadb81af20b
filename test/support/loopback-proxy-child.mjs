// An HTTP proxy on loopback (the npm package `proxy`, a CONNECT-capable forward proxy, as a corporate
// egress proxy is), in its own process: prints {"port": N}, then one JSON line per request it
// forwards, {"connect": "host:port"} for an HTTPS tunnel or {"forward": "http://..."} for plain HTTP.
// It sees only those targets: what passes through a tunnel is TLS between the function and the origin.
// `--resolve name=address` makes a host name only the proxy can resolve (as an egress proxy resolves
// internet names a VPC cannot): a request for it that arrives proves it came through the proxy.
import dns from 'node:dns';
import { createProxy } from 'proxy';

const names = new Map(
  process.argv
    .slice(2)
    .filter((_arg, i, args) => args[i - 1] === '--resolve')
    .map((pair) => pair.split('=')),
);
const lookup = dns.lookup;
dns.lookup = (hostname, options, callback) => lookup(names.get(hostname) ?? hostname, options, callback);

const server = createProxy();
// `--deny`: a proxy that refuses every request (407 Proxy Authentication Required), as one would
// that does not admit the function's address.
if (process.argv.includes('--deny')) server.authenticate = () => false;
server.on('connect', (req) => process.stdout.write(`${JSON.stringify({ connect: req.url })}\n`));
server.on('request', (req) => process.stdout.write(`${JSON.stringify({ forward: req.url })}\n`));
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
