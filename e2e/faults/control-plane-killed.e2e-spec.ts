import { Client } from 'pg';
import { expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import { ADVISORY_LOCK_CLASS, AdvisoryLock } from '../../apps/control-plane/src/database/advisory-locks';
import {
  createEmptyDatabase,
  GatewayHarness,
  getJson,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from '../support/gateway-harness';
import { startLoadLoop } from '../support/load-loop';

const BURST = 120;

/** Sessions of this database waiting for the snapshots lock: configuration writes held in their transaction. */
async function writesWaitingForTheLock(client: Client): Promise<number> {
  const { rows } = await client.query<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND classid = $1 AND objid = $2 AND objsubid = 2 AND NOT granted`,
    [ADVISORY_LOCK_CLASS, AdvisoryLock.snapshots],
  );
  return rows[0]?.waiting ?? 0;
}

describe('fault: the control plane is SIGKILLed during a burst of concurrent writes', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let backend: TestBackend;
  let controlPlane: ControlPlaneProcess;
  let dataPlane: DataPlaneProcess;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    backend = await startTestBackend('steady');
    controlPlane = await harness.startControlPlane();
    const created = await harness.api(controlPlane, 'POST', '/backends', {
      backendId: 'steady',
      name: 'steady',
      url: backend.url,
    });
    expect(created.status).toBe(201);
    const route = await harness.api(controlPlane, 'POST', '/routes', {
      routeId: 'steady',
      name: 'steady',
      pathPattern: '/steady/**',
      backendIds: ['steady'],
    });
    expect(route.status).toBe(201);
    dataPlane = await harness.startDataPlane({ id: 'dp-cp-killed', grpcTarget: controlPlane.grpcTarget });
  });

  afterAll(async () => {
    await harness?.stopAll();
    await backend?.close();
    await database?.drop();
  });

  it('keeps every acknowledged write, and each other one whole or absent, while data planes keep serving', async () => {
    const probe = startLoadLoop(`${dataPlane.proxyUrl}/steady/x`, { concurrency: 2, maxRequests: 100_000 });
    const ids = Array.from({ length: BURST }, (_, n) => `burst-${n}`);
    const acknowledged = new Set<string>();
    const unanswered = new Set<string>();
    const inFlight = new Set<string>();
    const write = (id: string) => {
      inFlight.add(id);
      return harness
        .api(controlPlane, 'POST', '/routes', {
          routeId: id,
          name: id,
          pathPattern: `/${id}/**`,
          backendIds: ['steady'],
        })
        .then(
          ({ status }) => {
            if (status === 201) acknowledged.add(id);
          },
          () => unanswered.add(id),
        )
        .finally(() => inFlight.delete(id));
    };
    const writes = ids.slice(0, BURST / 2).map(write);
    await expectEventually(() => expect(acknowledged.size).toBeGreaterThanOrEqual(5), { timeoutMs: 30_000 });

    // The test's own transaction takes the lock every configuration write takes first: from now on none can commit,
    // and the rest of the burst is sent while it is held.
    const lockHolder = new Client({ connectionString: database.url });
    await lockHolder.connect();
    const ports = {
      http: Number(new URL(controlPlane.httpUrl).port),
      grpc: Number(controlPlane.grpcTarget.split(':')[1]),
    };
    try {
      await lockHolder.query('BEGIN');
      await lockHolder.query('SELECT pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_CLASS, AdvisoryLock.snapshots]);
      writes.push(...ids.slice(BURST / 2).map(write));
      await expectEventually(async () => expect(await writesWaitingForTheLock(lockHolder)).toBeGreaterThan(0));
      // The kill comes mid-burst: writes sent, held in their transactions, not answered.
      expect(inFlight.size).toBeGreaterThan(0);
      await controlPlane.stop('SIGKILL');
    } finally {
      // Ending the session rolls its transaction back and releases the lock.
      await lockHolder.end();
    }
    await Promise.all(writes);
    expect(unanswered.size).toBeGreaterThan(0);

    controlPlane = await harness.startControlPlane(ports);
    const present = new Set<string>();
    for (const id of ids) {
      const { status } = await harness.api(controlPlane, 'GET', `/routes/${id}`);
      expect([200, 404]).toContain(status);
      if (status === 200) present.add(id);
    }
    for (const id of acknowledged) expect(present).toContain(id);

    // Never half: each route there has its audit row and is in the newest snapshot; nothing else is.
    const audit = await harness.api(controlPlane, 'GET', '/audit-logs?eventType=RouteCreated&limit=500');
    const audited = (audit.body.items as Array<{ entityId: string }>).map((row) => row.entityId);
    expect(audited.filter((id) => id !== 'steady').sort()).toEqual([...present].sort());
    const versions = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    const newest = versions.body.items[0].version as number;
    const snapshot = await harness.api(controlPlane, 'GET', `/config/versions/${newest}`);
    const inSnapshot = (snapshot.body.routes as Array<{ routeId: string }>).map((route) => route.routeId);
    expect(inSnapshot.sort()).toEqual(['steady', ...present].sort());

    // The data plane reconnects and runs it.
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(newest), { timeoutMs: 30_000 });
    for (const id of present) expect((await getJson(`${dataPlane.proxyUrl}/${id}/x`)).status).toBe(200);

    const outcome = await probe.stop();
    expect({ cut: outcome.cut, refused: outcome.refused }).toEqual({ cut: [], refused: 0 });
    expect(Object.fromEntries(outcome.statuses)).toEqual({ 200: outcome.total });
  });
});
