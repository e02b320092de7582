import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { toErrorResponse } from './error-response';
import {
  ConflictError,
  ERROR_HTTP_STATUS,
  ForbiddenError,
  type GatewayError,
  InternalError,
  NotFoundError,
  RateLimitExceededError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from './gateway-error';

const now = new Date('2026-01-02T03:04:05.000Z');

describe('toErrorResponse', () => {
  it('maps each gateway error to its status and the envelope', () => {
    const cases: Array<[GatewayError, number]> = [
      [new ValidationError([{ field: 'timeoutSeconds', message: 'must be >= 1' }]), 400],
      [new UnauthorizedError(), 401],
      [new ForbiddenError(), 403],
      [new NotFoundError('Route', 'r1'), 404],
      [new ConflictError('taken'), 409],
      [new RateLimitExceededError(), 429],
      [new InternalError('boom'), 500],
      [new ServiceUnavailableError('down'), 503],
    ];
    for (const [error, status] of cases) {
      const response = toErrorResponse(error, 'trace-1', now);
      expect(response.status).toBe(status);
      expect(ERROR_HTTP_STATUS[error.code]).toBe(status);
      expect(response.body.error).toEqual({
        code: error.code,
        message: error.message,
        details: error.details ?? null,
        traceId: 'trace-1',
        timestamp: '2026-01-02T03:04:05.000Z',
      });
    }
  });

  it('keeps validation details as a list of {field, message}', () => {
    const error = new ValidationError([
      { field: 'pathPattern', message: 'must start with "/"' },
      { field: 'colour', message: 'is not a known field' },
    ]);
    expect(toErrorResponse(error, 't').body.error.details).toEqual([
      { field: 'pathPattern', message: 'must start with "/"' },
      { field: 'colour', message: 'is not a known field' },
    ]);
    expect(error.message).toBe('Validation failed: pathPattern must start with "/"; colour is not a known field');
  });

  it('maps malformed JSON from the body parser to 400 VALIDATION_ERROR', () => {
    const error = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    const response = toErrorResponse(error, 't');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.isUnexpected).toBe(false);
  });

  it("maps Nest's HTTP exceptions by status", () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'), 't').body.error.code).toBe('NOT_FOUND');
    expect(toErrorResponse(new BadRequestException(), 't').body.error.code).toBe('VALIDATION_ERROR');
    expect(toErrorResponse(new PayloadTooLargeException(), 't').status).toBe(413);
  });

  it('hides unknown errors behind a 500 and marks them to be logged', () => {
    const response = toErrorResponse(new TypeError('secret internals'), 't');
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('INTERNAL_ERROR');
    expect(response.body.error.message).not.toContain('secret internals');
    expect(response.isUnexpected).toBe(true);
    expect(toErrorResponse(new NotFoundError('Route', 'x'), 't').isUnexpected).toBe(false);
  });

  it('maps an unreachable PostgreSQL to 503 DATABASE_UNAVAILABLE, not logged as unexpected', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    for (const error of [
      refused,
      new AggregateError([refused], ''),
      new QueryFailedError('SELECT 1', [], shutdown),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new InternalError('listing failed', { cause: refused }),
    ]) {
      const response = toErrorResponse(error, 't');
      expect({ status: response.status, code: response.body.error.code }).toEqual({
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
      });
      expect(response.isUnexpected).toBe(false);
    }
  });

  it('keeps a query PostgreSQL refused, and a gateway error caused by an outage, as they are', () => {
    const syntax = Object.assign(new Error('syntax error at or near "x"'), { code: '42601' });
    expect(toErrorResponse(new QueryFailedError('x', [], syntax), 't').status).toBe(500);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toErrorResponse(new ConflictError('taken', null, { cause: refused }), 't').status).toBe(409);
  });

  it('keeps the cause of a gateway error', () => {
    const cause = new Error('socket closed');
    expect(new ServiceUnavailableError('db down', { cause }).cause).toBe(cause);
  });
});
