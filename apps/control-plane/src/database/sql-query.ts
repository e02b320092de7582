/** Runs one SQL statement with positional parameters and returns its rows: fits both `pg` and a TypeORM manager. */
export type SqlQuery = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
