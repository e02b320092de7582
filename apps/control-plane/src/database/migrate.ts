import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { ensureInitialSnapshot } from '../modules/snapshots/snapshot-store';
import { ADVISORY_LOCK_CLASS, AdvisoryLock } from './advisory-locks';
import type { SqlQuery } from './sql-query';

/**
 * `db/migrations` at the repository root. The same relative path works from `src/database` (tests run the
 * sources) and from `dist/database` (the built app).
 */
export const MIGRATIONS_DIR = resolve(__dirname, '../../../../db/migrations');

const MIGRATION_FILE = /^\d+_[\w-]+\.sql$/;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
  /** The version of the initial snapshot written because none existed, if one was. */
  initialSnapshotVersion: number | undefined;
}

/** The numbered `*.sql` files of a folder, in order. */
export function readMigrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) throw new Error(`No migrations folder at ${dir}`);
  return readdirSync(dir)
    .filter((name) => MIGRATION_FILE.test(name))
    .sort()
    .map((name) => {
      const sql = readFileSync(resolve(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, in order, each in its own transaction, all
 * under one advisory lock, then makes sure an initial config snapshot exists so data planes always have one.
 */
export async function runMigrations(
  databaseUrl: string,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrationResult> {
  const log = options.log ?? (() => undefined);
  const files = readMigrationFiles(options.dir);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const query: SqlQuery = async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[];
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [ADVISORY_LOCK_CLASS, AdvisoryLock.migrations]);
    try {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          name VARCHAR(255) PRIMARY KEY,
          checksum CHAR(64) NOT NULL,
          applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )`);
      const done = await query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
      const applied = new Map(done.map((row) => [row.name, row.checksum]));
      const result: MigrationResult = { applied: [], skipped: [], initialSnapshotVersion: undefined };
      for (const file of files) {
        const checksum = applied.get(file.name);
        if (checksum !== undefined) {
          if (checksum !== file.checksum) log(`migration ${file.name} changed after it was applied; not re-run`);
          result.skipped.push(file.name);
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(file.sql);
          await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
            file.name,
            file.checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${file.name} failed: ${(error as Error).message}`, { cause: error });
        }
        log(`applied migration ${file.name}`);
        result.applied.push(file.name);
      }
      await client.query('BEGIN');
      try {
        result.initialSnapshotVersion = await ensureInitialSnapshot(query, new Date());
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      if (result.initialSnapshotVersion !== undefined) {
        log(`wrote initial config snapshot version ${result.initialSnapshotVersion}`);
      }
      return result;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [ADVISORY_LOCK_CLASS, AdvisoryLock.migrations]);
    }
  } finally {
    await client.end();
  }
}
