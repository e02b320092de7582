import * as grpc from '@grpc/grpc-js';
import { trace } from '@hotswap/observability';
import {
  GatewayError,
  UnauthorizedError,
  ForbiddenError,
  RateLimitExceededError,
} from '../../common/errors/gateway-error';
import type { Actor } from '../../common/http/actor';
import { resolveTraceId } from '../../common/http/trace-id';
import { decideAccess, type Principal } from '../auth/auth-policy';
import type { Role } from '../auth/roles';
import type { TokenService } from '../auth/token.service';
import { withDatabaseUnavailability } from '../../database/pg-errors';
import { GRPC_STATUS } from '../fleet/discovery.grpc';

/** Metadata keys of a failed call: the REST error code and its details (JSON), as the REST envelope has them. */
export const ERROR_CODE_METADATA = 'x-error-code';
export const ERROR_DETAILS_METADATA = 'x-error-details';
export const TRACE_ID_METADATA = 'x-trace-id';
/** Seconds until the caller's rate-limit window ends, on RESOURCE_EXHAUSTED (REST's `Retry-After`). */
export const RETRY_AFTER_METADATA = 'retry-after';

/** Reads (any role) or the roles a write needs: the same roles as the REST handler of the operation. */
export type AccessRule = 'read' | readonly Role[];

const READ_ROLES: readonly Role[] = ['Admin', 'Operator', 'Viewer'];

/**
 * The caller of a gRPC call, checked like a REST request by the same policy: the bearer token of the
 * `authorization` metadata, verified by the same TokenService, with a role the operation allows.
 */
export function authorize(metadata: grpc.Metadata, tokens: TokenService, rule: AccessRule): Actor {
  // Traced: the trace of the call's span (which continued a valid traceparent).
  const traceId =
    trace.getActiveSpan()?.spanContext().traceId ??
    resolveTraceId({
      traceparent: textOf(metadata, 'traceparent'),
      'x-request-id': textOf(metadata, 'x-request-id'),
    });
  const header = textOf(metadata, 'authorization');
  let principal: Principal | undefined;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('The authorization metadata must be "Bearer <token>"');
    principal = tokens.verify(match[1] as string);
  }
  const roles = rule === 'read' ? READ_ROLES : rule;
  const decision = decideAccess({ method: rule === 'read' ? 'GET' : 'POST', isPublic: false, roles, principal });
  if (!decision.allowed) {
    if (decision.reason === 'unauthenticated') throw new UnauthorizedError();
    throw new ForbiddenError(`This operation requires one of the roles: ${decision.requiredRoles.join(', ')}`, {
      requiredRoles: decision.requiredRoles,
      role: principal?.role,
    });
  }
  return { userId: principal?.sub ?? null, traceId };
}

/**
 * The one mapping of errors to gRPC: a GatewayError's code to a status (a unique-constraint conflict is
 * ALREADY_EXISTS, other conflicts FAILED_PRECONDITION) with `x-error-code` and `x-error-details` in the trailing
 * metadata (and `retry-after` over a rate limit); anything else is INTERNAL without internals.
 */
export function toServiceError(thrown: unknown, traceId?: string): Partial<grpc.StatusObject> {
  const error = withDatabaseUnavailability(thrown);
  const metadata = new grpc.Metadata();
  if (traceId) metadata.set(TRACE_ID_METADATA, traceId);
  if (!(error instanceof GatewayError)) {
    metadata.set(ERROR_CODE_METADATA, 'INTERNAL_ERROR');
    return { code: grpc.status.INTERNAL, details: 'Internal error', metadata };
  }
  metadata.set(ERROR_CODE_METADATA, error.code);
  if (error.details !== null && error.details !== undefined) {
    metadata.set(ERROR_DETAILS_METADATA, JSON.stringify(error.details));
  }
  const retryAfterSeconds = retryAfterOf(error);
  if (retryAfterSeconds !== undefined) metadata.set(RETRY_AFTER_METADATA, String(retryAfterSeconds));
  let code = GRPC_STATUS[error.code];
  if (error.code === 'CONFLICT' && isUniqueViolation(error.details)) code = grpc.status.ALREADY_EXISTS;
  return { code, details: error.message, metadata };
}

function retryAfterOf(error: GatewayError): number | undefined {
  if (!(error instanceof RateLimitExceededError)) return undefined;
  const details = error.details as { retryAfterSeconds?: unknown } | null;
  return typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
}

function isUniqueViolation(details: unknown): boolean {
  return typeof details === 'object' && details !== null && 'constraint' in details;
}

function textOf(metadata: grpc.Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}
