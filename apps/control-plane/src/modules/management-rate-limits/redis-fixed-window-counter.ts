import { Redis } from 'ioredis';
import type { FixedWindowCounter, WindowCount } from './fixed-window-counter';

// INCR and the expiry of a new window in one step, so that a crash between them cannot leave a key without expiry.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** Counts shared by every replica through Redis: one key per user and class, expiring with its window. */
export class RedisFixedWindowCounter implements FixedWindowCounter {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly keyPrefix: string,
  ) {
    // Commands wait for the first connection, but not for long: an unreachable Redis fails a hit within a second.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 1_000 });
    this.redis.on('error', () => {
      // A failed hit reports it; ioredis reconnects by itself.
    });
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, `${this.keyPrefix}${key}`, windowMs)) as [
      number,
      number,
    ];
    return { count, resetInMs: ttl };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
