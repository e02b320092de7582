import { Redis } from 'ioredis';
import { withTimeout } from '../../common/with-timeout';

export interface DependencyStatus {
  status: 'Up' | 'Down';
  latencyMs: number | null;
  error?: string;
}

/**
 * Pings Redis for the health endpoint on a connection of its own that never queues commands: while Redis is
 * unreachable a ping fails at once (or after `timeoutMs`), and the connection keeps reconnecting in the background.
 */
export class RedisProbe {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly timeoutMs: number,
  ) {
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.redis.on('error', () => {
      // A ping reports it; ioredis reconnects by itself.
    });
    this.redis.connect().catch(() => undefined);
  }

  async check(): Promise<DependencyStatus> {
    const started = Date.now();
    try {
      await withTimeout(this.redis.ping(), this.timeoutMs, 'Redis');
      return { status: 'Up', latencyMs: Date.now() - started };
    } catch (error) {
      return { status: 'Down', latencyMs: null, error: (error as Error).message };
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}
