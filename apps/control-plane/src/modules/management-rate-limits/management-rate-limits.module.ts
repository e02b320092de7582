import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { InMemoryFixedWindowCounter, type FixedWindowCounter } from './fixed-window-counter';
import { ManagementRateLimitInterceptor } from './management-rate-limit.interceptor';
import { FIXED_WINDOW_COUNTER, ManagementRateLimiter } from './management-rate-limiter';
import { RedisFixedWindowCounter } from './redis-fixed-window-counter';

/**
 * Per-user limits of the management API (`@RateLimited` handlers), counted in Redis when REDIS_URL is set so that
 * replicas share them, else in this process. The REST interceptor and the gRPC management API share one limiter.
 */
@Module({
  providers: [
    {
      provide: FIXED_WINDOW_COUNTER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): FixedWindowCounter =>
        config.redisUrl
          ? new RedisFixedWindowCounter(config.redisUrl, `${config.redisKeyPrefix}:management-rate-limit:`)
          : new InMemoryFixedWindowCounter(),
    },
    ManagementRateLimiter,
    { provide: APP_INTERCEPTOR, useClass: ManagementRateLimitInterceptor },
  ],
  exports: [ManagementRateLimiter],
})
export class ManagementRateLimitsModule implements OnApplicationShutdown {
  constructor(@Inject(FIXED_WINDOW_COUNTER) private readonly counter: FixedWindowCounter) {}

  async onApplicationShutdown(): Promise<void> {
    await this.counter.close();
  }
}
