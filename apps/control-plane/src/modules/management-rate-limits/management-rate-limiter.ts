import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateLimitExceededError } from '../../common/errors/gateway-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { FixedWindowCounter } from './fixed-window-counter';
import type { RateLimitClass } from './rate-limit-class';

export const FIXED_WINDOW_COUNTER = Symbol('FIXED_WINDOW_COUNTER');

/** The guide's limits are per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

const CLASS_NAMES: Record<RateLimitClass, string> = {
  routeWrites: 'route writes',
  deployments: 'deployment operations',
  metricsAndHealth: 'metrics and health reads',
};

/** A call within its user's limit: what is left of the window. */
export interface RateLimitAllowance {
  limit: number;
  remaining: number;
}

/** The details of a RateLimitExceededError from the limiter. */
export interface RateLimitExceededDetails {
  class: RateLimitClass;
  limit: number;
  windowSeconds: number;
  retryAfterSeconds: number;
}

/**
 * The one decision of the management API's per-user limits, for REST and gRPC alike: counts a call of a class
 * against its user's window (one counter key per user and class, whatever the protocol) and throws
 * RateLimitExceededError over the limit. When the counter fails (Redis down), the call passes (fail open) and
 * `undefined` says that nothing was counted.
 */
@Injectable()
export class ManagementRateLimiter {
  private readonly logger = new Logger('ManagementRateLimits');

  constructor(
    @Inject(FIXED_WINDOW_COUNTER) private readonly counter: FixedWindowCounter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(userId: string, rateLimitClass: RateLimitClass): Promise<RateLimitAllowance | undefined> {
    const limit = this.config.managementRateLimits[rateLimitClass];
    let counted;
    try {
      counted = await this.counter.hit(`${rateLimitClass}:${encodeURIComponent(userId)}`, RATE_LIMIT_WINDOW_MS);
    } catch (error) {
      this.logger.warn(`rate limit not checked (${(error as Error).message}): the call passes`);
      return undefined;
    }
    if (counted.count <= limit) return { limit, remaining: limit - counted.count };
    const retryAfterSeconds = Math.max(1, Math.ceil(counted.resetInMs / 1000));
    const details: RateLimitExceededDetails = {
      class: rateLimitClass,
      limit,
      windowSeconds: RATE_LIMIT_WINDOW_MS / 1000,
      retryAfterSeconds,
    };
    throw new RateLimitExceededError(
      `At most ${limit} ${CLASS_NAMES[rateLimitClass]} per minute per user: retry in ${retryAfterSeconds} s`,
      details,
    );
  }
}
