import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { traceIdOf } from '../http/trace-id';
import { toErrorResponse } from './error-response';

/**
 * The one exception filter of the REST API: every error becomes the guide's envelope. Unexpected errors are
 * logged here, once, with their cause. Non-HTTP contexts (gRPC) are passed on untouched to their own mapping.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    sendError(exception, req, res, this.logger);
  }
}

/** Writes the envelope for an error; also used by the Express error handler that runs before Nest routing. */
export function sendError(exception: unknown, req: Request, res: Response, logger: Logger): void {
  const traceId = traceIdOf(req);
  const { status, body, isUnexpected } = toErrorResponse(exception, traceId);
  if (isUnexpected) {
    logger.error(
      `${req.method} ${req.originalUrl} failed (traceId ${traceId}): ${describe(exception)}`,
      exception instanceof Error ? exception.stack : undefined,
    );
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).json(body);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = `${error.name}: ${error.message}`;
  let cause: unknown = error.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    text += ` (cause: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : JSON.stringify(cause)})`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return text;
}
