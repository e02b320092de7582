import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import {
  aBackend,
  aRoute,
  aSnapshot,
  send,
  startProcess,
  startTestBackend,
  type TestBackend,
  type TestProcess,
} from '@hotswap/testing';
import { makeTempDir, writeJsonFile } from './support/data-plane-harness';

const MAIN = resolve(__dirname, '../dist/main.js');
const LISTENING = /listening proxy=(http:\/\/[^\s"]+) status=(http:\/\/[^\s"]+)/;

/**
 * Sent after the bytes under test on the same connection: if the server took them as well-formed requests, it answers
 * this one last and closes the connection (a half-close would abort requests in flight instead).
 */
const CLOSER = 'GET /api/closer HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n';

/**
 * Writes raw bytes and then CLOSER on a new connection, and resolves everything the server sent until it closed the
 * connection (a deadline fails the test instead of hanging it).
 */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of the answer to ${JSON.stringify(bytes.slice(0, 80))}`));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolvePromise(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(bytes + CLOSER);
  });
}

/** The status lines of every response in `raw`. */
function statusLines(raw: string): string[] {
  return raw.match(/HTTP\/1\.[01] \d{3}[^\r\n]*/g) ?? [];
}

describe.each([
  ['', {}],
  // The flag makes every parser of the process lenient, unless a server insists on the strict one.
  [' started with NODE_OPTIONS=--insecure-http-parser', { NODE_OPTIONS: '--insecure-http-parser' }],
])('request smuggling and proxy abuse against a data-plane process%s', (_how, processEnv: Record<string, string>) => {
  let dir: string;
  let backend: TestBackend;
  let child: TestProcess;
  let port: number;
  let proxyUrl: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build -w @hotswap/data-plane)`);
    dir = makeTempDir('smuggling');
    backend = await startTestBackend('api');
    const snapshot = aSnapshot({
      routes: [aRoute({ routeId: 'api', name: 'api', pathPattern: '/api/**', backendIds: ['api'] })],
      backends: [aBackend({ backendId: 'api', name: 'api', url: backend.url })],
    });
    child = startProcess('data-plane', process.execPath, [MAIN, '--config', writeJsonFile(dir, 'api.json', snapshot)], {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_STATUS_PORT: '0',
      DATA_PLANE_ID: 'dp-smuggling',
      SNAPSHOT_CACHE_DIR: join(dir, 'cache'),
      CONTROL_PLANE_GRPC_URL: undefined,
      REDIS_URL: undefined,
      GATEWAY_WORKERS: '1',
      ...processEnv,
    });
    const [, url] = await child.waitForOutput(LISTENING);
    proxyUrl = url as string;
    port = Number(new URL(proxyUrl).port);
  });

  afterAll(async () => {
    await child?.stop('SIGKILL');
    await backend?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What the backend received from now on, once a request sent after the attack has arrived (it is left out). */
  async function receivedAfter(attack: () => Promise<unknown>): Promise<string[]> {
    const from = backend.received.length;
    await attack();
    const sentinel = await send(`${proxyUrl}/api/sentinel`);
    expect(sentinel.status).toBe(200);
    return backend.received
      .slice(from)
      .map((request) => `${request.method} ${request.url}`)
      .filter((line) => line !== 'GET /sentinel');
  }

  const host = 'Host: gateway.test\r\n';
  const smuggled = 'GET /api/admin HTTP/1.1\r\nHost: gateway.test\r\n\r\n';

  const ATTACKS: Array<[string, string]> = [
    [
      'Content-Length and Transfer-Encoding: chunked (CL.TE)',
      `POST /api/a HTTP/1.1\r\n${host}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    ],
    [
      'Transfer-Encoding: chunked and Content-Length (TE.CL)',
      `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`,
    ],
    [
      'two differing Content-Length headers',
      `POST /api/a HTTP/1.1\r\n${host}Content-Length: 5\r\nContent-Length: 49\r\n\r\nhello${smuggled}`,
    ],
    ['a Content-Length list', `POST /api/a HTTP/1.1\r\n${host}Content-Length: 5, 49\r\n\r\nhello${smuggled}`],
    ['a signed Content-Length', `POST /api/a HTTP/1.1\r\n${host}Content-Length: +5\r\n\r\nhello`],
    ['a Content-Length that is not a number', `POST /api/a HTTP/1.1\r\n${host}Content-Length: 5a\r\n\r\nhello`],
    ['an obs-fold header line', `GET /api/a HTTP/1.1\r\n${host}X-Folded: one\r\n two\r\n\r\n`],
    [
      'Transfer-Encoding folded onto the next line',
      `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`,
    ],
    [
      'a chunk size that is not hex',
      `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
    ],
    [
      'a chunk size that overflows',
      `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nhello\r\n0\r\n\r\n`,
    ],
    [
      'a negative chunk size',
      `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n`,
    ],
    [
      'a chunk longer than its size',
      `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n`,
    ],
    ['bare LF line ends', `GET /api/a HTTP/1.1\n${host.replace('\r\n', '\n')}\n`],
    ['bare LF in the chunked body', `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n`],
    ['a bare CR in a header', `GET /api/a HTTP/1.1\r\n${host}X-Split: a\rb\r\n\r\n`],
    ['a NUL byte in a header', `GET /api/a HTTP/1.1\r\n${host}X-Nul: a\u0000b\r\n\r\n`],
    [
      'Transfer-Encoding other than chunked last',
      `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`,
    ],
    ['an unknown Transfer-Encoding', `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`],
    ['a space before the colon', `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`],
    [
      'Transfer-Encoding: chunked given twice',
      `POST /api/a HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    ['a header name with a space inside', `GET /api/a HTTP/1.1\r\n${host}Content Length: 5\r\n\r\nhello`],
    ['no Host header', 'GET /api/a HTTP/1.1\r\n\r\n'],
    ['two Host headers', `GET /api/a HTTP/1.1\r\n${host}Host: evil.test\r\n\r\n`],
    ['an absolute-form URI to another host', 'GET http://evil.test/api/a HTTP/1.1\r\nHost: evil.test\r\n\r\n'],
    ['an absolute-form URI naming the backend itself', ''],
    ['CONNECT to the backend', ''],
    ['a request line with spaces in the target', `GET /api/a b HTTP/1.1\r\n${host}\r\n`],
    ['an asterisk-form target', `OPTIONS * HTTP/1.1\r\n${host}\r\n`],
  ];

  it.each(ATTACKS)('answers %s with 400 and forwards nothing', async (name, template) => {
    let bytes = template;
    const backendHost = new URL(backend.url).host;
    if (name.startsWith('an absolute-form URI naming')) {
      bytes = `GET http://${backendHost}/api/a HTTP/1.1\r\nHost: ${backendHost}\r\n\r\n`;
    }
    if (name.startsWith('CONNECT')) bytes = `CONNECT ${backendHost} HTTP/1.1\r\nHost: ${backendHost}\r\n\r\n`;

    let answer = '';
    const forwarded = await receivedAfter(async () => (answer = await exchange(port, bytes)));
    expect(statusLines(answer)[0]).toBe('HTTP/1.1 400 Bad Request');
    // A 400 of the parser closes the connection; the gateway's own 400 may keep it, and then CLOSER is served.
    expect(forwarded.filter((request) => request !== 'GET /closer')).toEqual([]);
  });

  it('still forwards a well-formed chunked request and a well-formed pipelined pair', async () => {
    const forwarded = await receivedAfter(() =>
      exchange(
        port,
        `POST /api/chunked HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n` +
          `GET /api/second HTTP/1.1\r\n${host}\r\n`,
      ),
    );
    expect(forwarded).toEqual(['POST /chunked', 'GET /second', 'GET /closer']);
    expect(backend.received.find((request) => request.url === '/chunked')?.body).toBe('hello');
  });
});
