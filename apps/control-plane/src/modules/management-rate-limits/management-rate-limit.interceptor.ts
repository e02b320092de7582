import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { RateLimitExceededError } from '../../common/errors/gateway-error';
import { principalOf } from '../auth/principal';
import { ManagementRateLimiter, type RateLimitExceededDetails } from './management-rate-limiter';
import { RATE_LIMIT_CLASS_KEY, type RateLimitClass } from './rate-limit-class';

/**
 * Counts each call of a `@RateLimited` handler against its caller's limit (the JWT subject) and answers 429 with
 * `Retry-After` over it. Runs after the auth guard, so refused calls do not count, and before validation, so bad
 * bodies do. Callers without a token (public health) are not limited.
 */
@Injectable()
export class ManagementRateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ManagementRateLimiter) private readonly limiter: ManagementRateLimiter,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const rateLimitClass = this.reflector.getAllAndOverride<RateLimitClass | undefined>(RATE_LIMIT_CLASS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const principal = principalOf(context.switchToHttp().getRequest<Request>());
    if (!rateLimitClass || !principal) return next.handle();

    const res = context.switchToHttp().getResponse<Response>();
    try {
      const allowance = await this.limiter.check(principal.sub, rateLimitClass);
      if (allowance) {
        res.setHeader('X-RateLimit-Limit', String(allowance.limit));
        res.setHeader('X-RateLimit-Remaining', String(allowance.remaining));
      }
    } catch (error) {
      if (error instanceof RateLimitExceededError) {
        const { limit, retryAfterSeconds } = error.details as RateLimitExceededDetails;
        res.setHeader('X-RateLimit-Limit', String(limit));
        res.setHeader('X-RateLimit-Remaining', '0');
        res.setHeader('Retry-After', String(retryAfterSeconds));
      }
      throw error;
    }
    return next.handle();
  }
}
