import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';

/**
 * The classes of the management API's per-user limits: route writes, deployments (creation and actions), and reads
 * of metrics and health. Other requests are not limited.
 */
export const RATE_LIMIT_CLASSES = ['routeWrites', 'deployments', 'metricsAndHealth'] as const;
export type RateLimitClass = (typeof RATE_LIMIT_CLASSES)[number];

export const RATE_LIMIT_CLASS_KEY = 'hotswap:rateLimitClass';

/** Counts a handler's calls against the caller's limit of this class (on a handler or a whole controller). */
export const RateLimited = (rateLimitClass: RateLimitClass): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_CLASS_KEY, rateLimitClass),
    ApiTooManyRequestsResponse({
      description: 'RATE_LIMIT_EXCEEDED: over the per-user limit of the minute',
      headers: { 'Retry-After': { description: 'Seconds until the window ends', schema: { type: 'integer' } } },
    }),
  );
