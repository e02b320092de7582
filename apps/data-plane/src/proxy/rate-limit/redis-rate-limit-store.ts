import { performance } from 'node:perf_hooks';
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

/** The counters of `redis`-policy routes, shared by every data plane through Redis. */
export interface SharedRateLimitStore {
  readonly keyPrefix: string;
  /** One request for `key` (a full Redis key) under `policy`, decided atomically by Redis. Rejects when unreachable. */
  take(key: string, policy: RateLimitPolicy): Promise<Admission>;
}

/** A call Redis did not answer in time. */
export class RateLimitStoreTimeoutError extends Error {
  readonly code = 'RATE_LIMIT_STORE_TIMEOUT';
}

/** How long a data plane waits for Redis when it starts before serving anyway (the routes fail open or closed). */
const CONNECT_TIMEOUT_MS = 2_000;
/** Calls timing out and no answer for this long: the connection hangs; drop it (its queued calls fail) and reconnect. */
const STALLED_CONNECTION_MS = 1_000;

/**
 * Rate-limit counters in Redis (ioredis 5): one Lua script per algorithm, loaded once per connection (SCRIPT LOAD)
 * and called with EVALSHA (EVAL when Redis lost it, which loads it again). One round trip per request; calls made in
 * the same tick share one write (auto-pipelining). Nothing waits for Redis: without a connection a call fails at
 * once (no offline queue, no retry, nothing resent after a reconnection), and a call unanswered within `timeoutMs`
 * fails; the caller then fails open or closed. A timeout is declared only after the event loop has read what
 * arrived meanwhile, so a stalled event loop (a large snapshot compiling, a GC pause) does not fail calls Redis
 * answered in time. ioredis reconnects by itself with a capped backoff; a connection that stops answering is
 * dropped and reopened. State changes are logged once, not per request.
 */
export class RedisRateLimitStore implements SharedRateLimitStore {
  readonly keyPrefix: string;
  private readonly redis: Redis;
  private isFailing = false;
  private isClosed = false;
  private lastAnswerAt = performance.now();

  constructor(private readonly options: RedisRateLimitStoreOptions) {
    this.keyPrefix = `${options.keyPrefix}:ratelimit:`;
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
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
    const answer = this.redis.evalsha(script.sha, 1, key, ...args).catch((error: Error) => {
      if (!error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(script.lua, 1, key, ...args);
    });
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(this.onTimeout, this.options.timeoutMs, reject);
      answer.then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    }).then(this.onAnswer, this.onFailure);
  }

  async close(): Promise<void> {
    this.isClosed = true;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  /** Rejects after the poll phase of this turn of the event loop: an answer already received wins. */
  private readonly onTimeout = (reject: (error: Error) => void): void => {
    setImmediate(reject, new RateLimitStoreTimeoutError(`Redis did not answer within ${this.options.timeoutMs} ms`));
    if (this.redis.status === 'ready' && performance.now() - this.lastAnswerAt > STALLED_CONNECTION_MS) {
      this.options.logger.warn('rate-limit store connection stalled: reconnecting');
      this.redis.disconnect(true);
    }
  };

  private readonly onAnswer = (reply: unknown): Admission => {
    if (typeof reply !== 'number') throw new Error(`unexpected rate-limit script reply: ${String(reply)}`);
    this.lastAnswerAt = performance.now();
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
    this.lastAnswerAt = performance.now();
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
