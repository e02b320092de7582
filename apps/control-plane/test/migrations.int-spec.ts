import { Client } from 'pg';
import { readMigrationFiles, runMigrations } from '../src/database/migrate';
import { createTestDatabase, type TestDatabase } from './support/test-database';

describe('database migrations', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('records every migration file once in schema_migrations', async () => {
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((row) => row.name)).toEqual(readMigrationFiles().map((file) => file.name));
    expect(rows.map((row) => row.name)).toContain('001_initial_schema.sql');
  });

  it('creates the guide tables, route versions and config snapshots', async () => {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'gateway_routes',
        'backends',
        'deployments',
        'audit_logs',
        'route_versions',
        'config_snapshots',
        'schema_migrations',
      ]),
    );
    const columns = await client.query<{ data_type: string }>(
      "SELECT data_type FROM information_schema.columns WHERE table_name = 'gateway_routes' AND column_name = 'created_at'",
    );
    expect(columns.rows[0]?.data_type).toBe('timestamp with time zone');
  });

  it('writes one initial, empty snapshot with a version from the sequence', async () => {
    const { rows } = await client.query<{ version: string; snapshot: { routes: unknown[]; hash: string } }>(
      'SELECT version::text, snapshot FROM config_snapshots',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.snapshot.routes).toEqual([]);
    const seq = await client.query<{ last_value: string }>('SELECT last_value::text FROM config_version_seq');
    expect(rows[0]?.version).toBe(seq.rows[0]?.last_value);
  });

  it('applies nothing and writes no second snapshot when run again, even by replicas starting together', async () => {
    const results = await Promise.all([runMigrations(db.url), runMigrations(db.url), runMigrations(db.url)]);
    for (const result of results) {
      expect(result.applied).toEqual([]);
      expect(result.initialSnapshotVersion).toBeUndefined();
    }
    const { rows } = await client.query('SELECT version FROM config_snapshots');
    expect(rows).toHaveLength(1);
  });

  it('applies migrations once when several replicas start together on an empty database', async () => {
    const bare = await createBareDatabase();
    try {
      const results = await Promise.all([runMigrations(bare.url), runMigrations(bare.url), runMigrations(bare.url)]);
      expect(results.map((result) => result.applied.length).sort()).toEqual([0, 0, readMigrationFiles().length]);
      expect(results.filter((result) => result.initialSnapshotVersion !== undefined)).toHaveLength(1);
    } finally {
      await bare.drop();
    }
  });
});

/** A database with nothing in it, not even migrations. */
async function createBareDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL as string;
  const name = `hotswap_bare_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}
