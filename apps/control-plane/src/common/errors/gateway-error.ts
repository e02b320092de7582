/** The HTTP status of each error code. Codes are stable forever: clients match on them, never on messages. */
export const ERROR_HTTP_STATUS = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** A route cannot be updated or deleted while a deployment of it is active. */
  ROUTE_IN_DEPLOYMENT: 409,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

/** One reason a request is not valid, naming the field in the request (`backends[0].url`). */
export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * The one base error of the control plane: services throw only these (or subclasses), each transport maps the
 * code once (REST: the error envelope, gRPC: a status code).
 */
export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}

/** The request is not valid; `details` lists every issue, field by field. */
export class ValidationError extends GatewayError {
  constructor(
    readonly issues: FieldIssue[],
    message = `Validation failed: ${issues.map((issue) => `${issue.field} ${issue.message}`).join('; ')}`,
  ) {
    super('VALIDATION_ERROR', message, issues);
  }
}

export class UnauthorizedError extends GatewayError {
  constructor(message = 'A valid bearer token is required') {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends GatewayError {
  constructor(message = 'Your role does not allow this operation', details: unknown = null) {
    super('FORBIDDEN', message, details);
  }
}

export class NotFoundError extends GatewayError {
  constructor(entity: string, id: string | number) {
    super('NOT_FOUND', `${entity} "${id}" was not found`, { entity, id });
  }
}

export class ConflictError extends GatewayError {
  constructor(message: string, details: unknown = null, options: { cause?: unknown } = {}) {
    super('CONFLICT', message, details, options);
  }
}

export class RateLimitExceededError extends GatewayError {
  constructor(message = 'Too many requests', details: unknown = null) {
    super('RATE_LIMIT_EXCEEDED', message, details);
  }
}

export class ServiceUnavailableError extends GatewayError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SERVICE_UNAVAILABLE', message, null, options);
  }
}

/** PostgreSQL cannot be reached (refused, dropped, timed out, shutting down): retry later, nothing was written. */
export class DatabaseUnavailableError extends GatewayError {
  constructor(options: { cause?: unknown } = {}) {
    super('DATABASE_UNAVAILABLE', 'The database is unavailable; retry later', null, options);
  }
}

export class InternalError extends GatewayError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INTERNAL_ERROR', message, null, options);
  }
}
