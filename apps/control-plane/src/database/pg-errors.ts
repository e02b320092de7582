import { QueryFailedError } from 'typeorm';

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
