import { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger';
import type { Admission, RateLimitPolicy } from './rate-limit-policy';
import { RATE_LIMIT_SCRIPTS, type RateLimitScript } from './redis-scripts';

export interface RedisRateLimitStoreOptions {
  /** REDIS_URL */
  readonly url: string;
  /** REDIS_KEY_PREFIX: every key this store writes starts with `<prefix>:ratelimit:`. */
  readonly keyPrefix: string;
  /** A call that gets no answer within this time fails (the store counts as unreachable for that request). */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** How long a data plane waits for Redis when it starts before serving anyway (the routes fail open or closed). */
const CONNECT_TIMEOUT_MS = 2_000;

/** The counters of `redis`-policy routes, shared by every data plane through Redis. */
export interface SharedRateLimitStore {
  readonly keyPrefix: string;
  /** One request for `key` (a full Redis key) under `policy`, decided atomically by Redis. Rejects when unreachable. */
  take(key: string, policy: RateLimitPolicy): Promise<Admission>;
}

/**
 * Rate-limit counters in Redis (ioredis 5): one Lua script per algorithm, loaded once per connection (SCRIPT LOAD)
 * and called with EVALSHA (EVAL when Redis lost it, which loads it again). One round trip per request; calls made in
 * the same tick share one write (auto-pipelining). Nothing waits for Redis: without a connection a call fails at
 * once (no offline queue, no retry), and a call unanswered within `timeoutMs` fails; the caller then fails open or
 * closed. ioredis reconnects by itself with a capped backoff; state changes are logged once, not per request.
 */
export class RedisRateLimitStore implements SharedRateLimitStore {
  readonly keyPrefix: string;
  private readonly redis: Redis;
  private isFailing = false;
  private isClosed = false;

  constructor(private readonly options: RedisRateLimitStoreOptions) {
    this.keyPrefix = `${options.keyPrefix}:ratelimit:`;
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // On close without a connection ioredis still arms this timer on the dead socket: keep it short.
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
      connectionName: 'hotswap-data-plane-rate-limits',
    });
    this.redis.on('ready', this.onReady);
    this.redis.on('error', this.onError);
  }

  /** Connects; resolves true once Redis answers, false when the first attempt fails (reconnection goes on). */
  async connect(): Promise<boolean> {
    try {
      await this.redis.connect();
      return true;
    } catch {
      return false;
    }
  }

  take(key: string, policy: RateLimitPolicy): Promise<Admission> {
    const script = RATE_LIMIT_SCRIPTS[policy.algorithm];
    const args =
      policy.algorithm === 'TokenBucket'
        ? [policy.capacity, policy.limit, policy.windowMs]
        : [policy.limit, policy.windowMs];
    return this.redis.evalsha(script.sha, 1, key, ...args).then(this.onAnswer, (error: Error) => {
      if (!error.message.startsWith('NOSCRIPT')) return this.onFailure(error);
      return this.redis.eval(script.lua, 1, key, ...args).then(this.onAnswer, this.onFailure);
    });
  }

  async close(): Promise<void> {
    this.isClosed = true;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private readonly onAnswer = (reply: unknown): Admission => {
    if (typeof reply !== 'number') throw new Error(`unexpected rate-limit script reply: ${String(reply)}`);
    if (this.isFailing) {
      this.isFailing = false;
      this.options.logger.info('rate-limit store answers again');
    }
    return reply;
  };

  private readonly onFailure = (error: Error): never => {
    if (!this.isFailing) {
      this.isFailing = true;
      this.options.logger.warn('rate-limit store failed: redis-policy routes fail open or closed until it answers', {
        error,
      });
    }
    throw error;
  };

  private readonly onReady = (): void => {
    // Loaded ahead of the first requests of this connection; a call that still finds one missing falls back to EVAL.
    for (const script of Object.values<RateLimitScript>(RATE_LIMIT_SCRIPTS)) {
      this.redis.script('LOAD', script.lua).catch((error: unknown) => {
        this.options.logger.warn(`could not load the ${script.algorithm} rate-limit script`, { error });
      });
    }
  };

  private readonly onError = (error: Error): void => {
    // ioredis reports every failed reconnection; calls report their own failure (once per outage).
    if (this.isClosed) return;
    this.options.logger.debug('rate-limit store connection error', { error });
  };
}
