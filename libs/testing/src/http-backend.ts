import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test backend saw of one request. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestBackend {
  name: string;
  url: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export type TestBackendHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * A real HTTP server on 127.0.0.1 and a free port. By default it answers every request with 200 and JSON
 * `{ backend, method, url, headers, body }`; a handler replaces that answer.
 */
export async function startTestBackend(name: string, handler?: TestBackendHandler): Promise<TestBackend> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (handler) return handler(req, res, body);
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
      res.end(JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port free on 127.0.0.1 a moment ago, from 20000-31999 (below the ephemeral range): bind it at once. */
export async function findFreePort(): Promise<number> {
  // Below Linux's ephemeral range (32768-60999): a port the kernel picked for port 0 could be handed out again, to
  // any outgoing connection, before the caller binds it.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
