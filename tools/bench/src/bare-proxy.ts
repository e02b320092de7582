import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';

/**
 * The baseline: http-proxy-3 and nothing else, forwarding every request to one target over a keep-alive agent.
 * Usage: `node bare-proxy.js <target-url> [port]`. Prints `listening <port>` once ready.
 */
function main(): void {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: bare-proxy <target-url> [port]');
    process.exit(2);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 1_000, maxFreeSockets: 256 });
  const proxy = createProxyServer({ target, agent, xfwd: true });
  proxy.on('error', (_error, _req, res) => {
    if ('writeHead' in res && !res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end('{"error":"bad gateway"}');
  });
  const server = createServer((req, res) => proxy.web(req, res));
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
    console.log(`listening ${(server.address() as AddressInfo).port}`);
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

if (require.main === module) main();
