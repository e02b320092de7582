import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import type { SqlQuery } from './sql-query';
import type { EntityManager } from 'typeorm';

/** A TypeORM DataSource over `pg`. The schema comes from SQL migrations only: `synchronize` stays off. */
export function createDataSource(databaseUrl: string, options: { applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName ?? 'hotswap-control-plane',
    // Bounded: with PostgreSQL gone or hung a request fails (503 DATABASE_UNAVAILABLE) instead of waiting forever.
    extra: { max: 10, connectionTimeoutMillis: 5_000, query_timeout: 30_000 },
  });
}

/** The SqlQuery of an entity manager (inside a transaction, its connection). */
export function sqlQueryOf(manager: EntityManager): SqlQuery {
  return <T>(sql: string, params?: unknown[]) => manager.query<T[]>(sql, params);
}
