import type { NextFunction, Request, Response } from 'express';
import type { PinoLogger } from '@hotswap/observability';
import { principalOf } from '../../modules/auth/principal';
import { traceIdOf } from '../http/trace-id';

/** Paths polled by probes and scrapers: logged at debug, so that info shows what operators did. */
const QUIET_PATHS = /^\/(metrics|api\/v1\/gateway\/health)$/;

/**
 * Express middleware: one line per API request once its response finished: method, path without query string,
 * statusCode, latencyMs, traceId and userId (the JWT subject, when the request carried a valid token).
 */
export function requestLogMiddleware(logger: PinoLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const startedAt = performance.now();
    res.once('finish', () => {
      const url = req.originalUrl;
      const queryAt = url.indexOf('?');
      const path = queryAt === -1 ? url : url.slice(0, queryAt);
      const fields = {
        traceId: traceIdOf(req),
        userId: principalOf(req)?.sub,
        method: req.method,
        path,
        statusCode: res.statusCode,
        latencyMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
      };
      if (QUIET_PATHS.test(path)) logger.debug(fields, 'request');
      else logger.info(fields, 'request');
    });
    next();
  };
}
