import { QueryFailedError } from 'typeorm';
import { DatabaseUnavailableError, GatewayError } from '../common/errors/gateway-error';

interface PgDriverError {
  code?: string;
  constraint?: string;
  detail?: string;
}

/** The constraint and detail of a PostgreSQL unique violation (23505), if the error is one. */
export function uniqueViolationOf(error: unknown): { constraint: string; detail: string } | undefined {
  const driverError: PgDriverError | undefined =
    error instanceof QueryFailedError ? (error.driverError as PgDriverError) : (error as PgDriverError | undefined);
  if (driverError?.code !== '23505') return undefined;
  return { constraint: driverError.constraint ?? '', detail: driverError.detail ?? '' };
}

/** Socket-level failures of the connection to PostgreSQL. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** SQLSTATEs of a server that is going away or refusing sessions: admin/crash shutdown, cannot connect now, too many. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What `pg` says (without a code) when a connection ends, cannot be made in time, or a query gets no answer. */
const CONNECTION_LOST_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection closed/i;

/**
 * Whether an error means PostgreSQL cannot be reached right now (as opposed to a query it refused): a refused or
 * dropped connection, a connect or query timeout, a server shutting down. Looks through TypeORM's QueryFailedError,
 * `cause` chains and AggregateErrors (a refused connect to every address).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (CONNECTION_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  if (typeof message === 'string' && CONNECTION_LOST_MESSAGE.test(message)) return true;
  const nested: unknown[] = [
    error instanceof QueryFailedError ? error.driverError : undefined,
    (error as { cause?: unknown }).cause,
    ...(error instanceof AggregateError ? (error.errors as unknown[]) : []),
  ];
  return nested.some((inner) => isDatabaseUnavailable(inner, depth + 1));
}

/**
 * The error a transport maps: an unexpected error (not a GatewayError, or an INTERNAL_ERROR) that means PostgreSQL is
 * unreachable becomes DATABASE_UNAVAILABLE (503 / UNAVAILABLE, retry later); anything else is returned as it is.
 */
export function withDatabaseUnavailability(error: unknown): unknown {
  const isUnexpected = !(error instanceof GatewayError) || error.code === 'INTERNAL_ERROR';
  return isUnexpected && isDatabaseUnavailable(error) ? new DatabaseUnavailableError({ cause: error }) : error;
}
