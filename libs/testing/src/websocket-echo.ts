import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

/** A WebSocket backend on 127.0.0.1: completes the RFC 6455 handshake, then echoes every byte it receives. */
export interface WebSocketEchoBackend {
  name: string;
  url: string;
  /** Path and headers of every upgrade request it accepted. */
  upgrades: Array<{ url: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

export async function startWebSocketEchoBackend(name: string): Promise<WebSocketEchoBackend> {
  const upgrades: WebSocketEchoBackend['upgrades'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(426, { upgrade: 'websocket' }).end());
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    upgrades.push({ url: req.url ?? '', headers: req.headers });
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n` +
        `X-Backend: ${name}\r\n\r\n`,
    );
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    upgrades,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What a WebSocket upgrade request got: the 101 and an open socket, or the HTTP response that refused it. */
export type UpgradeResult =
  | { upgraded: true; headers: IncomingMessage['headers']; isAcceptValid: boolean; socket: Socket }
  | { upgraded: false; status: number; json: { error?: { code?: string } } };

/** Sends a WebSocket upgrade request to `url`, with `headers` besides the handshake's. */
export function requestUpgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeResult> {
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': key,
      },
    });
    req.on('upgrade', (res, socket) =>
      resolve({
        upgraded: true,
        headers: res.headers,
        isAcceptValid: res.headers['sec-websocket-accept'] === acceptKey(key),
        socket,
      }),
    );
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          upgraded: false,
          status: res.statusCode ?? 0,
          json: (body === '' ? {} : JSON.parse(body)) as { error?: { code?: string } },
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes `message` on an upgraded socket and resolves with the first `message.length` bytes that come back. */
export function echo(socket: Socket, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.length >= message.length) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(message);
  });
}
