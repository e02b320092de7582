import { HttpException } from '@nestjs/common';
import { withDatabaseUnavailability } from '../../database/pg-errors';
import { ERROR_HTTP_STATUS, GatewayError, type ErrorCode } from './gateway-error';

/** The guide's error envelope. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    details: unknown;
    traceId: string;
    timestamp: string;
  };
}

export interface ErrorResponse {
  status: number;
  body: ErrorEnvelope;
  /** Whether the error is unexpected and must be logged (once, with its cause). */
  isUnexpected: boolean;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMIT_EXCEEDED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Errors raised by body-parser (malformed JSON, body too large) carry these fields. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    error instanceof Error &&
    typeof (error as Partial<BodyParserError>).type === 'string' &&
    typeof (error as Partial<BodyParserError>).status === 'number'
  );
}

/** Maps anything thrown while serving a request to the HTTP status and error envelope the client gets. */
export function toErrorResponse(thrown: unknown, traceId: string, now: Date = new Date()): ErrorResponse {
  const error = withDatabaseUnavailability(thrown);
  const envelope = (code: ErrorCode, message: string, details: unknown): ErrorEnvelope => ({
    error: { code, message, details: details ?? null, traceId, timestamp: now.toISOString() },
  });

  if (error instanceof GatewayError) {
    return {
      status: ERROR_HTTP_STATUS[error.code],
      body: envelope(error.code, error.message, error.details),
      isUnexpected: error.code === 'INTERNAL_ERROR',
    };
  }
  if (isBodyParserError(error) && error.status >= 400 && error.status < 500) {
    const message =
      error.type === 'entity.parse.failed'
        ? `Malformed JSON in the request body: ${error.message}`
        : error.type === 'entity.too.large'
          ? 'The request body is too large'
          : error.message;
    return { status: error.status, body: envelope('VALIDATION_ERROR', message, null), isUnexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status < 500) {
      const code = CODE_BY_STATUS[status] ?? 'VALIDATION_ERROR';
      return { status, body: envelope(code, error.message, null), isUnexpected: false };
    }
    const code = CODE_BY_STATUS[status] ?? 'INTERNAL_ERROR';
    return { status, body: envelope(code, error.message, null), isUnexpected: code === 'INTERNAL_ERROR' };
  }
  return {
    status: 500,
    body: envelope('INTERNAL_ERROR', 'An unexpected error occurred', null),
    isUnexpected: true,
  };
}
