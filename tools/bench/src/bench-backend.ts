import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body every benchmark target ends up returning: small and fixed, so that the backend costs little. */
export const BENCH_BODY = '{"ok":true,"from":"bench-backend"}\n';

/** A backend that answers every request with the same small body. Prints `listening <port>` once ready. */
function main(): void {
  const body = Buffer.from(BENCH_BODY);
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  // Longer than the proxies' keep-alive idle time: pooled connections are never closed under them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
    console.log(`listening ${(server.address() as AddressInfo).port}`);
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

if (require.main === module) main();
