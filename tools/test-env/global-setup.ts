import { resolve } from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../apps/local-gateway/src/embedded-database';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, isPostgresReachable, isRedisReachable } from './services';

declare global {
  var __HOTSWAP_EMBEDDED_DB__: EmbeddedDatabase | undefined;
}

/**
 * Finds the PostgreSQL and Redis the tests use. PostgreSQL: DATABASE_URL, else 127.0.0.1:5432, else an embedded
 * server started here. Redis: REDIS_URL, else 127.0.0.1:6379, else the run stops with one line saying how to get it.
 */
export default async function globalSetup(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!(await isRedisReachable(redisUrl))) {
    throw new Error(
      `No Redis answers at ${redisUrl}: start one (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no) or set REDIS_URL.`,
    );
  }
  process.env.REDIS_URL = redisUrl;

  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  if (await isPostgresReachable(databaseUrl)) {
    process.env.DATABASE_URL = databaseUrl;
    return;
  }
  if (process.env.DATABASE_URL) throw new Error(`No PostgreSQL answers at DATABASE_URL=${databaseUrl}.`);
  const embedded = await startEmbeddedDatabase({
    dataDir: resolve(__dirname, '../../.hotswap/test-postgres/data'),
    port: 15433,
    database: 'test',
  });
  globalThis.__HOTSWAP_EMBEDDED_DB__ = embedded;
  process.env.DATABASE_URL = embedded.url;
}
