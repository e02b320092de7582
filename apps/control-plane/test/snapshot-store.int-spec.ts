import {
  buildSnapshot,
  globalSettingsSchema,
  validateSnapshot,
  validateSnapshotContent,
  type ConfigSnapshot,
} from '@hotswap/config-snapshot';
import { expectEventually, seededRandom } from '@hotswap/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../src/common/errors/gateway-error';
import { SYSTEM_ACTOR } from '../src/common/http/actor';
import { sqlQueryOf } from '../src/database/data-source';
import type { SqlQuery } from '../src/database/sql-query';
import { HealthChecksService } from '../src/modules/health-checks/health-checks.service';
import { loadConfiguration, lockSnapshots, writeSnapshot } from '../src/modules/snapshots/snapshot-store';
import { DELTAS_PER_COMPLETE_SNAPSHOT, SnapshotsService } from '../src/modules/snapshots/snapshots.service';
import { storedSnapshot } from './support/stored-snapshots';
import { API, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

let db: TestDatabase;
/** Two replicas of one gateway: two apps on one database. */
let replicas: [TestApp, TestApp];
let sql: Client;
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  replicas = [await startTestApp({}, { database: db }), await startTestApp({}, { database: db })];
  sql = new Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  for (const replica of replicas ?? []) await replica.close();
  await db?.drop();
});

/** A deterministic source of choices, so a failing sequence can be replayed from its seed. */
function randomSource(seed: number): { int(below: number): number; pick<T>(items: readonly T[]): T } {
  const next = seededRandom(seed);
  return {
    int: (below) => Math.floor(next() * below),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  };
}

const sqlQuery: SqlQuery = async <T>(text: string, params?: unknown[]) => (await sql.query(text, params)).rows as T[];

/** The snapshot a complete load of the database gives now, with `stored`'s identity. */
async function completeLoadOf(stored: ConfigSnapshot): Promise<ConfigSnapshot> {
  const { routes, backends } = await loadConfiguration(sqlQuery);
  const settings = globalSettingsSchema.parse({});
  const content = validateSnapshotContent({ schemaVersion: 1, settings, routes, backends });
  if (!content.ok) throw new Error(`the database does not validate: ${JSON.stringify(content.issues)}`);
  return buildSnapshot(
    {
      version: stored.version,
      previousVersion: stored.previousVersion,
      auditId: stored.auditId,
      createdAt: stored.createdAt,
    },
    content.value,
  );
}

/** The newest stored snapshot equals a complete load, and each replica serves exactly it. */
async function expectNewestEqualsCompleteLoad(): Promise<ConfigSnapshot> {
  const stored = await storedSnapshot(sql);
  const complete = await completeLoadOf(stored);
  expect(stored.hash).toBe(complete.hash);
  expect(stored).toEqual(complete);
  for (const replica of replicas) expect(await replica.app.get(SnapshotsService).get(stored.version)).toEqual(stored);
  return stored;
}

async function createBackend(replica: TestApp): Promise<string> {
  const n = ++seq;
  const res = await replica.request('POST', `${API}/backends`, {
    body: { name: `b-${n}`, url: `http://127.0.0.1:${20_000 + n}`, weight: 1 + (n % 100) },
  });
  expect(res.status).toBe(201);
  return res.body.backendId as string;
}

async function createRoute(replica: TestApp, backendIds: string[]): Promise<string> {
  const n = ++seq;
  const res = await replica.request('POST', `${API}/routes`, {
    body: { name: `r-${n}`, pathPattern: `/r-${n}/**`, backendIds },
  });
  expect(res.status).toBe(201);
  return res.body.routeId as string;
}

function unlessNotFound(error: unknown): void {
  if (!(error instanceof NotFoundError)) throw error;
}

/** A change that writes a snapshot, then rolls it back: the replica never takes the snapshot as its own. */
async function rolledBackWrite(replica: TestApp, backendId: string): Promise<void> {
  const snapshots = replica.app.get(SnapshotsService);
  const rollback = new Error('rolled back on purpose');
  let rolledBack: ConfigSnapshot | undefined;
  await expect(
    replica.app.get(DataSource).transaction(async (manager) => {
      const query = sqlQueryOf(manager);
      await lockSnapshots(query);
      await query('UPDATE backends SET weight = weight % 100 + 1, health_status = $2 WHERE backend_id = $1', [
        backendId,
        'Unhealthy',
      ]);
      const written = await writeSnapshot(query, { auditId: null, now: new Date() }, snapshots.lastKnown());
      if (written.ok) rolledBack = written.snapshot;
      throw rollback;
    }),
  ).rejects.toBe(rollback);
  expect(rolledBack).toBeDefined();
  expect(snapshots.lastKnown()?.version).not.toBe(rolledBack?.version);
}

describe('config snapshots built from the rows changed since the previous one', () => {
  it('equal a complete load after random changes through two replicas, health updates and rolled-back changes', async () => {
    const seed = Date.now() % 1_000_000;
    const random = randomSource(seed);
    const backends: string[] = [];
    const routes = new Map<string, string>(); // routeId → pathPattern
    const deployments = new Map<string, string>(); // routeId → deploymentId
    for (let i = 0; i < 4; i++) backends.push(await createBackend(random.pick(replicas)));
    for (let i = 0; i < 3; i++) {
      const routeId = await createRoute(random.pick(replicas), [random.pick(backends)]);
      routes.set(routeId, (await replicas[0].request('GET', `${API}/routes/${routeId}`)).body.pathPattern);
    }
    const firstVersion = (await storedSnapshot(sql)).version;

    // Operations run concurrently may meet an entity another one just deleted or holds: 404 and 409 are answers
    // then, and what the database ends up with is what the snapshot must show.
    const operations: Array<(replica: TestApp) => Promise<void>> = [
      async (replica) => {
        backends.push(await createBackend(replica));
      },
      async (replica) => {
        const res = await replica.request('PATCH', `${API}/backends/${random.pick(backends)}`, {
          body: random.int(2) === 0 ? { weight: 1 + random.int(100) } : { isEnabled: random.int(2) === 0 },
        });
        expect([200, 404]).toContain(res.status);
      },
      async (replica) => {
        const backendId = random.pick(backends);
        const res = await replica.request('DELETE', `${API}/backends/${backendId}`);
        // 409: a route uses it; 400: a route took it up meanwhile, and the snapshot refused the delete.
        expect([204, 400, 404, 409]).toContain(res.status);
        if (res.status === 204) backends.splice(backends.indexOf(backendId), 1);
      },
      async (replica) => {
        const n = ++seq;
        const res = await replica.request('POST', `${API}/routes`, {
          body: { name: `r-${n}`, pathPattern: `/r-${n}/**`, backendIds: [random.pick(backends)] },
        });
        expect([201, 400]).toContain(res.status); // 400: its backend was just deleted
        if (res.status === 201) routes.set(res.body.routeId, res.body.pathPattern);
      },
      async (replica) => {
        const res = await replica.request('PUT', `${API}/routes/${random.pick([...routes.keys()])}`, {
          body: { timeoutSeconds: 1 + random.int(60), backendIds: [random.pick(backends)] },
        });
        expect([200, 400, 404, 409]).toContain(res.status); // 409: a deployment holds the route
      },
      async (replica) => {
        const routeId = random.pick([...routes.keys()]);
        const res = await replica.request('DELETE', `${API}/routes/${routeId}`);
        expect([204, 404, 409]).toContain(res.status);
        if (res.status === 204) {
          routes.delete(routeId);
          deployments.delete(routeId);
        }
      },
      // Refused by the snapshot's validation: the transaction that consumed the changed ids rolls back.
      async (replica) => {
        const [routeId, other] = [...routes.keys()];
        if (routeId === undefined || other === undefined) return;
        const res = await replica.request('PUT', `${API}/routes/${routeId}`, {
          body: { pathPattern: routes.get(other) },
        });
        expect([400, 404, 409]).toContain(res.status);
      },
      async (replica) => rolledBackWrite(replica, random.pick(backends)),
      async (replica) => {
        const health = replica.app.get(HealthChecksService);
        await health.setDraining(random.pick(backends), random.int(2) === 0, SYSTEM_ACTOR).catch(unlessNotFound);
      },
      async (replica) => {
        const health = replica.app.get(HealthChecksService);
        const state = random.pick(['open', 'closed', null] as const);
        await health.forceBreaker(random.pick(backends), state, SYSTEM_ACTOR).catch(unlessNotFound);
      },
      async (replica) => {
        const free = [...routes.keys()].filter((routeId) => !deployments.has(routeId));
        if (free.length === 0) return;
        const routeId = random.pick(free);
        const label = `v${++seq}`;
        const version = await replica.request('POST', `${API}/routes/${routeId}/versions`, {
          body: { backendIds: [random.pick(backends)], version: label },
        });
        expect([201, 400, 404]).toContain(version.status);
        if (version.status !== 201) return;
        const created = await replica.request('POST', `${API}/deployments`, {
          body: {
            routeId,
            configVersion: label,
            strategy: 'Canary',
            environment: 'staging',
            phases: [
              { name: 'canary', trafficPercentage: 10, duration: '1h' },
              { name: 'full', trafficPercentage: 100 },
            ],
            thresholds: { minRequests: 0 },
          },
        });
        expect([201, 400, 404, 409]).toContain(created.status);
        if (created.status === 201) deployments.set(routeId, created.body.deploymentId);
      },
      async (replica) => {
        const [routeId, deploymentId] = random.pick([...deployments.entries()]) ?? [];
        if (routeId === undefined) return;
        const res = await replica.request('POST', `${API}/deployments/${deploymentId}/rollback`, {
          body: { reason: 'test' },
        });
        expect([200, 404, 409]).toContain(res.status);
        deployments.delete(routeId);
      },
    ];

    for (let round = 0; round < 30; round++) {
      // Up to three operations at once, on either replica: writers queue on the snapshots lock, health updates
      // commit before, during or after a snapshot's build.
      const concurrent = Array.from({ length: 1 + random.int(3) }, () => random.pick(operations));
      await Promise.all(concurrent.map((operation) => operation(random.pick(replicas))));
      // A quiet change afterwards: what committed during the last build is in this one.
      const settle = await random.pick(replicas).request('PATCH', `${API}/backends/${random.pick(backends)}`, {
        body: { weight: 1 + random.int(100) },
      });
      expect(settle.status).toBe(200);
      const stored = await expectNewestEqualsCompleteLoad().catch((error: Error) => {
        throw new Error(`round ${round} of seed ${seed}: ${error.message}`);
      });
      expect(validateSnapshot(stored).ok).toBe(true);
    }

    // Every version, rebuilt by a process that holds none of them, is the version each replica served.
    const { rows } = await sql.query<{ version: string; hash: string; is_complete: boolean }>(
      'SELECT version::text, hash, snapshot IS NOT NULL AS is_complete FROM config_snapshots WHERE version >= $1 ORDER BY config_snapshots.version',
      [firstVersion],
    );
    const cold = new SnapshotsService(replicas[0].app.get(DataSource));
    for (const row of rows) {
      const rebuilt = await cold.get(Number(row.version));
      expect(rebuilt.hash).toBe(row.hash);
      expect(validateSnapshot(rebuilt).ok).toBe(true);
      expect(rebuilt).toEqual(await storedSnapshot(sql, Number(row.version)));
    }
    expect(rows.filter((row) => !row.is_complete).length).toBeGreaterThan(0);
  });

  it('keeps the change of a health update that commits after the next snapshot read the changed rows', async () => {
    const [replica] = replicas;
    const backendId = await createBackend(replica);
    const other = await createBackend(replica);
    // A committed drain is recorded; a second update of the same backend is still open while a change builds.
    await replica.app.get(HealthChecksService).setDraining(backendId, true, SYSTEM_ACTOR);
    const open = new Client({ connectionString: db.url });
    await open.connect();
    try {
      await open.query('BEGIN');
      await open.query("UPDATE backends SET health_status = 'Unhealthy' WHERE backend_id = $1", [backendId]);
      const change = await replica.request('PATCH', `${API}/backends/${other}`, { body: { weight: 7 } });
      expect(change.status).toBe(200);
      const built = await storedSnapshot(sql);
      expect(built.backends.find((backend) => backend.backendId === backendId)?.healthStatus).toBe('Draining');
      await open.query('COMMIT');
    } finally {
      await open.end();
    }

    const next = await replica.request('PATCH', `${API}/backends/${other}`, { body: { weight: 8 } });
    expect(next.status).toBe(200);
    const stored = await expectNewestEqualsCompleteLoad();
    expect(stored.backends.find((backend) => backend.backendId === backendId)?.healthStatus).toBe('Unhealthy');
  });

  it('stores a version as its changes, and complete again every DELTAS_PER_COMPLETE_SNAPSHOT versions', async () => {
    const [replica] = replicas;
    const backendId = await createBackend(replica);
    // A version changing most of the snapshot is stored complete: this one changes one backend of several.
    for (let i = 0; i < 3; i++) await createBackend(replica);
    const first = (await storedSnapshot(sql)).version;
    for (let i = 0; i < DELTAS_PER_COMPLETE_SNAPSHOT + 2; i++) {
      const res = await replica.request('PATCH', `${API}/backends/${backendId}`, { body: { weight: 1 + (i % 100) } });
      expect(res.status).toBe(200);
    }
    const { rows } = await sql.query<{ version: string; delta_routes: number; delta_backends: number }>(
      `SELECT version::text, jsonb_array_length(delta->'routes'->'upserted') AS delta_routes,
              jsonb_array_length(delta->'backends'->'upserted') AS delta_backends
         FROM config_snapshots WHERE version > $1 AND delta IS NOT NULL ORDER BY config_snapshots.version`,
      [first],
    );
    expect(rows).toHaveLength(DELTAS_PER_COMPLETE_SNAPSHOT + 2);
    expect(rows.every((row) => row.delta_routes === 0 && row.delta_backends === 1)).toBe(true);
    // Consecutive versions share what did not change.
    const snapshots = replica.app.get(SnapshotsService);
    const latest = await snapshots.getLatest();
    const previous = await snapshots.get(latest.previousVersion as number);
    const unchanged = latest.backends.filter((backend) => backend.backendId !== backendId);
    expect(unchanged.length).toBeGreaterThan(0);
    expect(unchanged.every((backend) => previous.backends.includes(backend))).toBe(true);
    // Written in the background after a commit.
    await expectEventually(async () => {
      const { rows: complete } = await sql.query(
        'SELECT 1 FROM config_snapshots WHERE version > $1 AND snapshot IS NOT NULL',
        [first],
      );
      expect(complete.length).toBeGreaterThan(0);
    });
    await expectNewestEqualsCompleteLoad();
  });

  it('takes in rows written in bulk straight with SQL, as the scale bench seeds them', async () => {
    const [replica] = replicas;
    const prefix = `bulk-${++seq}`;
    await sql.query(
      `INSERT INTO backends (backend_id, name, url)
       SELECT $1 || '-' || i, $1 || '-' || i, 'http://127.0.0.1:9/' || i FROM generate_series(1, 1500) AS i`,
      [prefix],
    );
    const changed = await replica.request('POST', `${API}/routes`, {
      body: { name: prefix, pathPattern: `/${prefix}/**`, backendIds: [`${prefix}-1`, `${prefix}-1500`] },
    });
    expect(changed.status).toBe(201);
    const stored = await expectNewestEqualsCompleteLoad();
    expect(stored.backends.filter((backend) => backend.backendId.startsWith(`${prefix}-`))).toHaveLength(1500);

    await sql.query('DELETE FROM backends WHERE backend_id LIKE $1 AND backend_id NOT IN ($2, $3)', [
      `${prefix}-%`,
      `${prefix}-1`,
      `${prefix}-1500`,
    ]);
    const next = await replica.request('PATCH', `${API}/backends/${prefix}-1`, { body: { weight: 3 } });
    expect(next.status).toBe(200);
    const after = await expectNewestEqualsCompleteLoad();
    expect(after.backends.filter((backend) => backend.backendId.startsWith(`${prefix}-`))).toHaveLength(2);
  });
});
