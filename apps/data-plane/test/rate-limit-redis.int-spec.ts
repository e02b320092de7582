import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { rateLimitSchema, type RateLimit } from '@hotswap/config-snapshot';
import { aRoute, expectEventually, findFreePort } from '@hotswap/testing';
import { Redis } from 'ioredis';
import { Logger } from '../src/observability/logger';
import { RedisRateLimitStore } from '../src/proxy/rate-limit/redis-rate-limit-store';
import { RateLimiterCompiler, type RouteRateLimiter } from '../src/proxy/rate-limit/route-rate-limiter';

const REDIS_URL = process.env.REDIS_URL as string;
/** This file's keys: removed at the end. */
const PREFIX = `hotswap-test-rl-${randomBytes(4).toString('hex')}`;
const logs: string[] = [];
const logger = new Logger('debug', {}, (line) => logs.push(line));
const tallies = { rejections: () => ({ inc() {} }), storeErrors: () => ({ inc() {} }) };

const stores: RedisRateLimitStore[] = [];
let admin: Redis;

/** A store as one data plane has it. */
async function storeAt(url: string, timeoutMs = 50): Promise<RedisRateLimitStore> {
  const store = new RedisRateLimitStore({ url, keyPrefix: PREFIX, timeoutMs, logger });
  stores.push(store);
  await store.connect();
  return store;
}

/** The limiter of a `redis`-policy route as a data plane with `store` compiles it. */
function limiterOf(store: RedisRateLimitStore, routeId: string, fields: Partial<RateLimit> & { limit: number }) {
  const route = aRoute({
    routeId,
    name: routeId,
    backendIds: ['b'],
    rateLimit: rateLimitSchema.parse({ policy: 'redis', ...fields }),
  });
  return new RateLimiterCompiler({ store, localMaxKeys: 10, tallies }).compile([route], undefined, []).get(routeId)!;
}

const take = (limiter: RouteRateLimiter, key: string) => limiter.take(key, 0) as Promise<number>;

beforeAll(async () => {
  admin = new Redis(REDIS_URL);
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  const keys = await admin.keys(`${PREFIX}:*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

describe('rate limits shared through Redis', () => {
  it.each(['FixedWindow', 'SlidingWindow', 'TokenBucket'] as const)(
    '%s: two data planes hammering one client together admit the limit, within 5%%',
    async (algorithm) => {
      // Atomicity is under test here, not latency: a timeout that a burst of 1,200 calls cannot trip.
      const [one, two] = [await storeAt(REDIS_URL, 5_000), await storeAt(REDIS_URL, 5_000)];
      const routeId = `atomic-${algorithm}`;
      const limit = 400;
      const limiters = [one, two].map((store) => limiterOf(store, routeId, { algorithm, limit, window: 'hour' }));
      // Rounds of 100 concurrent calls, half from each data plane: three times the limit in all.
      const admissions: number[] = [];
      const admittedBy = [0, 0];
      for (let round = 0; round < 12; round++) {
        const results = await Promise.all(Array.from({ length: 100 }, (_, n) => take(limiters[n % 2]!, '10.0.0.1')));
        results.forEach((admission, n) => {
          admissions.push(admission);
          if (admission >= 0) admittedBy[n % 2]!++;
        });
      }
      const admitted = admittedBy[0]! + admittedBy[1]!;
      expect(Math.abs(admitted - limit) / limit).toBeLessThanOrEqual(0.05);
      expect(admittedBy.every((count) => count > 0)).toBe(true);
      // Each admission reports a distinct number of requests left: no two data planes took the same slot.
      const remaining = admissions.filter((a) => a >= 0);
      expect(new Set(remaining).size).toBe(remaining.length);
    },
  );

  it('FixedWindow counts down what remains and tells a refused client the rest of the window', async () => {
    const limiter = limiterOf(await storeAt(REDIS_URL), 'fixed', {
      algorithm: 'FixedWindow',
      limit: 3,
      window: 'minute',
    });
    const admissions = [];
    for (let n = 0; n < 4; n++) admissions.push(await take(limiter, 'client'));
    expect(admissions.slice(0, 3)).toEqual([2, 1, 0]);
    expect(admissions[3]).toBeLessThan(0);
    expect(-admissions[3]!).toBeLessThanOrEqual(60_000);
    expect(await take(limiter, 'another client')).toBe(2);
  });

  it('SlidingWindow admits the limit, then refuses with a wait within two windows', async () => {
    const limiter = limiterOf(await storeAt(REDIS_URL), 'sliding', {
      algorithm: 'SlidingWindow',
      limit: 3,
      window: 'minute',
    });
    const admissions = [];
    for (let n = 0; n < 4; n++) admissions.push(await take(limiter, 'client'));
    expect(admissions.slice(0, 3).every((a) => a >= 0)).toBe(true);
    expect(admissions[3]).toBeLessThan(0);
    expect(-admissions[3]!).toBeLessThanOrEqual(120_000);
  });

  it('TokenBucket lets its burst through, then refuses for about one refill interval', async () => {
    const limiter = limiterOf(await storeAt(REDIS_URL), 'bucket', {
      algorithm: 'TokenBucket',
      limit: 60,
      window: 'minute',
      burst: 4,
    });
    const admissions = [];
    for (let n = 0; n < 5; n++) admissions.push(await take(limiter, 'client'));
    expect(admissions.slice(0, 4)).toEqual([3, 2, 1, 0]);
    expect(-admissions[4]!).toBeGreaterThan(0);
    expect(-admissions[4]!).toBeLessThanOrEqual(1_000);
  });

  it('stores keys under REDIS_KEY_PREFIX, per route and client, with API keys as digests', async () => {
    const secret = `sk-${randomBytes(8).toString('hex')}`;
    const limiter = limiterOf(await storeAt(REDIS_URL), 'keys', { limit: 5, keyBy: 'ApiKey' });
    await take(limiter, limiter.keyOf({ headers: { 'x-api-key': secret }, socket: { remoteAddress: '10.0.0.9' } }));
    const keys = await admin.keys(`${PREFIX}:ratelimit:{keys:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${PREFIX}:ratelimit:\\{keys:key#[A-Za-z0-9_-]{43}\\}:fw:60000$`));
    expect(keys[0]).not.toContain(secret);
    expect(await admin.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it('fails at once, without waiting, when nothing listens at REDIS_URL', async () => {
    const store = await storeAt(`redis://127.0.0.1:${await findFreePort()}`);
    const limiter = limiterOf(store, 'down', { limit: 5 });
    await expect(take(limiter, 'client')).rejects.toThrow(/enableOfflineQueue|Connection is closed|ECONNREFUSED/);
    expect(logs.some((line) => line.includes('rate-limit store failed'))).toBe(true);
  });

  it('fails a call Redis does not answer within the timeout, and answers again once Redis does', async () => {
    const relay = await startFreezableRelay(REDIS_URL);
    try {
      const limiter = limiterOf(await storeAt(relay.url, 100), 'hung', { limit: 100 });
      expect(await take(limiter, 'client')).toBe(99);
      relay.freeze();
      await expect(take(limiter, 'client')).rejects.toThrow(/did not answer within 100 ms/);
      relay.thaw();
      await expectEventually(async () => expect(await take(limiter, 'client')).toBeGreaterThanOrEqual(0));
    } finally {
      await relay.close();
    }
  });

  it('does not fail a call Redis answered in time while the event loop was busy', async () => {
    const limiter = limiterOf(await storeAt(REDIS_URL, 20), 'busy-loop', { limit: 5 });
    const pending = take(limiter, 'client');
    // Once the call is on the wire, hold the event loop past the timeout while Redis answers.
    await new Promise((resolve) => setImmediate(resolve));
    const blockedUntil = performance.now() + 100;
    while (performance.now() < blockedUntil) {
      // A large snapshot compiling, a long GC pause.
    }
    expect(await pending).toBe(4);
  });

  it('drops a connection that stopped answering, and answers again once Redis does', async () => {
    const relay = await startFreezableRelay(REDIS_URL);
    try {
      const limiter = limiterOf(await storeAt(relay.url, 100), 'stalled', { limit: 100 });
      expect(await take(limiter, 'client')).toBe(99);
      relay.freeze();
      // Calls time out until the store gives up on the connection: then they fail at once, without a connection.
      await expectEventually(
        async () => await expect(take(limiter, 'client')).rejects.toThrow(/enableOfflineQueue|Connection is closed/),
        { timeoutMs: 10_000 },
      );
      expect(logs.some((line) => line.includes('connection stalled: reconnecting'))).toBe(true);
      relay.thaw();
      await expectEventually(async () => expect(await take(limiter, 'client')).toBeGreaterThanOrEqual(0), {
        timeoutMs: 10_000,
      });
    } finally {
      await relay.close();
    }
  });
});

/**
 * A TCP relay in front of the real Redis whose answers can be held back: a Redis that hangs. Frozen, it keeps what
 * Redis sends back; thawed, it delivers what it kept (late answers, as a slow Redis would give) and relays again.
 */
async function startFreezableRelay(redisUrl: string): Promise<{
  url: string;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}> {
  const target = new URL(redisUrl);
  let isFrozen = false;
  const held: Array<{ client: Socket; chunk: Buffer }> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (isFrozen) held.push({ client, chunk });
      else client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => {
      isFrozen = true;
    },
    thaw: () => {
      isFrozen = false;
      for (const { client, chunk } of held.splice(0)) client.write(chunk);
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
