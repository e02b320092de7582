import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { RateLimitExceededError } from '../../common/errors/gateway-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { principalOf } from '../auth/principal';
import type { FixedWindowCounter } from './fixed-window-counter';
import { RATE_LIMIT_CLASS_KEY, type RateLimitClass } from './rate-limit-class';

export const FIXED_WINDOW_COUNTER = Symbol('FIXED_WINDOW_COUNTER');

/** The guide's limits are per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

const CLASS_NAMES: Record<RateLimitClass, string> = {
  routeWrites: 'route writes',
  deployments: 'deployment operations',
  metricsAndHealth: 'metrics and health reads',
};

/**
 * Counts each call of a `@RateLimited` handler against its caller's limit (the JWT subject) and answers 429 with
 * `Retry-After` over it. Runs after the auth guard, so refused calls do not count, and before validation, so bad
 * bodies do. Callers without a token (public health) are not limited. When Redis fails, calls pass (fail open).
 */
@Injectable()
export class ManagementRateLimitInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ManagementRateLimits');

  constructor(
    private readonly reflector: Reflector,
    @Inject(FIXED_WINDOW_COUNTER) private readonly counter: FixedWindowCounter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const rateLimitClass = this.reflector.getAllAndOverride<RateLimitClass | undefined>(RATE_LIMIT_CLASS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<Request>();
    const principal = principalOf(req);
    if (!rateLimitClass || !principal) return next.handle();

    const limit = this.config.managementRateLimits[rateLimitClass];
    let counted;
    try {
      counted = await this.counter.hit(`${rateLimitClass}:${encodeURIComponent(principal.sub)}`, RATE_LIMIT_WINDOW_MS);
    } catch (error) {
      this.logger.warn(`rate limit not checked (${(error as Error).message}): the call passes`);
      return next.handle();
    }
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - counted.count)));
    if (counted.count > limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil(counted.resetInMs / 1000));
      res.setHeader('Retry-After', String(retryAfterSeconds));
      throw new RateLimitExceededError(
        `At most ${limit} ${CLASS_NAMES[rateLimitClass]} per minute per user: retry in ${retryAfterSeconds} s`,
        { class: rateLimitClass, limit, windowSeconds: RATE_LIMIT_WINDOW_MS / 1000, retryAfterSeconds },
      );
    }
    return next.handle();
  }
}
